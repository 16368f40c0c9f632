import type { ApplicationState } from '../../shared/protocol';
import type { ApplicationStatus } from '../../shared/status';
import { getMeta } from './db/database';
import type { DalaDatabase, OutboxEntry, Rejection, SubmittedApplication } from './db/database';

/**
 * Where an application stands as the device can tell. `waiting` and `sending` are the
 * device's own; `refused` means the server turned down the submission itself; every
 * other state is the server's (promise 7).
 */
export type DisplayState =
	| { kind: 'waiting' }
	| { kind: 'sending' }
	| { kind: 'refused'; rejection: Rejection }
	| { kind: ApplicationStatus; server: ApplicationState };

export interface ApplicationView {
	application: SubmittedApplication;
	state: DisplayState;
}

function displayState(
	entry: OutboxEntry | undefined,
	server: ApplicationState | undefined,
	inFlight: ReadonlySet<number>
): DisplayState {
	if (server) return { kind: server.status, server };
	if (entry?.rejection) return { kind: 'refused', rejection: entry.rejection };
	if (entry?.seq !== undefined && inFlight.has(entry.seq)) return { kind: 'sending' };
	return { kind: 'waiting' };
}

/** Every application on this device with its state, newest first. */
export async function listApplications(db: DalaDatabase): Promise<ApplicationView[]> {
	return db.transaction('r', db.applications, db.outbox, db.mirror, db.meta, async () => {
		const [applications, outbox, mirror, sync] = await Promise.all([
			db.applications.orderBy('submittedAt').reverse().toArray(),
			db.outbox.toArray(),
			db.mirror.toArray(),
			getMeta(db, 'sync')
		]);
		const entries = new Map(outbox.map((e) => [e.applicationId, e]));
		const states = new Map(mirror.map((s) => [s.id, s]));
		const inFlight = new Set(sync?.inFlight);
		return applications.map((application) => ({
			application,
			state: displayState(entries.get(application.id), states.get(application.id), inFlight)
		}));
	});
}

/** One application with its state, or null when this device has none by that id. */
export async function getApplication(
	db: DalaDatabase,
	id: string
): Promise<ApplicationView | null> {
	return db.transaction('r', db.applications, db.outbox, db.mirror, db.meta, async () => {
		const application = await db.applications.get(id);
		if (!application) return null;
		const [entry, server, sync] = await Promise.all([
			db.outbox.where('applicationId').equals(id).first(),
			db.mirror.get(id),
			getMeta(db, 'sync')
		]);
		return { application, state: displayState(entry, server, new Set(sync?.inFlight)) };
	});
}
