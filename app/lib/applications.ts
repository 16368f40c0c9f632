import type { ApplicationState } from '../../shared/protocol';
import type { ApplicationStatus } from '../../shared/status';
import {
	getMeta,
	type DalaDatabase,
	type OutboxEntry,
	type Rejection,
	type SubmittedApplication
} from './db/database';

/**
 * Where an application stands as the device can tell. `waiting` and `sending` are the
 * device's own; `refused` means the server turned down the submission itself; every
 * other state is the server's (promise 7).
 */
export type DisplayState =
	| { kind: 'waiting' }
	| { kind: 'sending' }
	| { kind: 'refused'; rejection: Rejection; seq: number }
	| { kind: ApplicationStatus; server: ApplicationState };

/** A correction of an application, while it is not settled. */
export type Correction =
	| { kind: 'waiting' | 'sending'; entry: OutboxEntry }
	| { kind: 'refused'; entry: OutboxEntry; rejection: Rejection }
	| { kind: 'conflict'; entry: OutboxEntry; server: ApplicationState };

export interface ApplicationView {
	application: SubmittedApplication;
	state: DisplayState;
	/** The latest correction the server has not settled yet, if any. */
	correction?: Correction;
}

function view(
	application: SubmittedApplication,
	entries: OutboxEntry[],
	server: ApplicationState | undefined,
	inFlight: ReadonlySet<number>
): ApplicationView {
	const sending = (entry: OutboxEntry) => entry.seq !== undefined && inFlight.has(entry.seq);
	const submit = entries.find((e) => e.type === 'application.submit');
	const amend = entries.filter((e) => e.type === 'application.amend').at(-1);

	let state: DisplayState;
	if (server) state = { kind: server.status, server };
	else if (submit?.rejection) {
		state = { kind: 'refused', rejection: submit.rejection, seq: submit.seq! };
	} else if (submit && sending(submit)) state = { kind: 'sending' };
	else state = { kind: 'waiting' };

	let correction: Correction | undefined;
	if (amend?.conflict) correction = { kind: 'conflict', entry: amend, server: amend.conflict };
	else if (amend?.rejection) {
		correction = { kind: 'refused', entry: amend, rejection: amend.rejection };
	} else if (amend) correction = { kind: sending(amend) ? 'sending' : 'waiting', entry: amend };

	return { application, state, correction };
}

async function load(db: DalaDatabase, applications: SubmittedApplication[]) {
	const ids = applications.map((a) => a.id);
	const [outbox, mirror, sync] = await Promise.all([
		db.outbox.where('applicationId').anyOf(ids).sortBy('seq'),
		db.mirror.bulkGet(ids),
		getMeta(db, 'sync')
	]);
	const inFlight = new Set(sync?.inFlight);
	return applications.map((application, i) =>
		view(
			application,
			outbox.filter((e) => e.applicationId === application.id),
			mirror[i],
			inFlight
		)
	);
}

/** Every application on this device with its state, newest first. */
export async function listApplications(db: DalaDatabase): Promise<ApplicationView[]> {
	return db.transaction('r', db.applications, db.outbox, db.mirror, db.meta, async () =>
		load(db, await db.applications.orderBy('submittedAt').reverse().toArray())
	);
}

/** One application with its state, or null when this device has none by that id. */
export async function getApplication(
	db: DalaDatabase,
	id: string
): Promise<ApplicationView | null> {
	return db.transaction('r', db.applications, db.outbox, db.mirror, db.meta, async () => {
		const application = await db.applications.get(id);
		return application ? ((await load(db, [application]))[0] ?? null) : null;
	});
}
