import type { ApplicationState } from '../../shared/protocol';
import { isKnownStatus, type ApplicationStatus } from '../../shared/status';
import {
	getMeta,
	type DalaDatabase,
	type OutboxEntry,
	type Rejection,
	type SubmittedApplication,
	type UploadProgress
} from './db/database';

/**
 * Where an application stands as the device can tell. `waiting` and `sending` are the
 * device's own; `refused` means the server turned down the submission itself; every
 * other state is the server's (promise 7). `unknown` is a status of a newer server that
 * this build cannot name: shown as such, the server's state still kept whole.
 */
export type DisplayState =
	| { kind: 'waiting' }
	| { kind: 'sending' }
	| { kind: 'refused'; rejection: Rejection; seq: number }
	| { kind: ApplicationStatus | 'unknown'; server: ApplicationState };

/** A correction of an application, while it is not settled. */
export type Correction =
	| { kind: 'waiting' | 'sending'; entry: OutboxEntry }
	| { kind: 'refused'; entry: OutboxEntry; rejection: Rejection }
	| { kind: 'conflict'; entry: OutboxEntry; server: ApplicationState };

export interface ApplicationView {
	/** As sent from this device; for one sent from another device, made from the server's state. */
	application: SubmittedApplication;
	/** Sent from another device of the same person: this device knows only the server's state. */
	fromOtherDevice: boolean;
	state: DisplayState;
	/** The latest correction the server has not settled yet, if any. */
	correction?: Correction;
	/** Its photos being uploaded in the sync pass now running, when there are any. */
	uploads?: UploadProgress[];
}

function view(
	application: SubmittedApplication,
	entries: OutboxEntry[],
	server: ApplicationState | undefined,
	inFlight: ReadonlySet<number>,
	uploads: UploadProgress[],
	fromOtherDevice: boolean
): ApplicationView {
	const sending = (entry: OutboxEntry) => entry.seq !== undefined && inFlight.has(entry.seq);
	const submit = entries.find((e) => e.type === 'application.submit');
	const amend = entries.filter((e) => e.type === 'application.amend').at(-1);

	let state: DisplayState;
	if (server) state = { kind: isKnownStatus(server.status) ? server.status : 'unknown', server };
	else if (submit?.rejection) {
		state = { kind: 'refused', rejection: submit.rejection, seq: submit.seq! };
	} else if (submit && sending(submit)) state = { kind: 'sending' };
	else state = { kind: 'waiting' };

	let correction: Correction | undefined;
	if (amend?.conflict) correction = { kind: 'conflict', entry: amend, server: amend.conflict };
	else if (amend?.rejection) {
		correction = { kind: 'refused', entry: amend, rejection: amend.rejection };
	} else if (amend) correction = { kind: sending(amend) ? 'sending' : 'waiting', entry: amend };

	return {
		application,
		fromOtherDevice,
		state,
		correction,
		...(uploads.length > 0 ? { uploads } : {})
	};
}

/**
 * What the views need of an application submitted on another device signed in to the same
 * account, made from the server's state and never stored: `db.applications` holds what this
 * device sent, and nothing was sent from here. The submission time is not in the state; its
 * last change stands in for it (the views say so).
 */
function fromMirror(server: ApplicationState): SubmittedApplication {
	return {
		id: server.id,
		serviceId: server.serviceId,
		serviceVersion: server.serviceVersion,
		answers: { ...server.answers },
		submittedAt: Date.parse(server.updatedAt) || 0
	};
}

async function load(
	db: DalaDatabase,
	applications: SubmittedApplication[],
	otherDevice: ReadonlySet<string> = new Set()
) {
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
			inFlight,
			(sync?.uploads ?? []).filter((u) => u.applicationId === application.id),
			otherDevice.has(application.id)
		)
	);
}

/**
 * Every application of this person the device knows with its state, newest first: those
 * sent from here, and those sent from their other devices signed in to the same account,
 * which only the server's state (the mirror) tells about.
 */
export async function listApplications(db: DalaDatabase): Promise<ApplicationView[]> {
	return db.transaction('r', db.applications, db.outbox, db.mirror, db.meta, async () => {
		const [own, servers] = await Promise.all([db.applications.toArray(), db.mirror.toArray()]);
		const ownIds = new Set(own.map((a) => a.id));
		const others = servers.filter((s) => !ownIds.has(s.id)).map(fromMirror);
		const all = [...own, ...others].sort((a, b) => b.submittedAt - a.submittedAt);
		return load(db, all, new Set(others.map((a) => a.id)));
	});
}

/** One application with its state, or null when this device knows none by that id. */
export async function getApplication(
	db: DalaDatabase,
	id: string
): Promise<ApplicationView | null> {
	return db.transaction('r', db.applications, db.outbox, db.mirror, db.meta, async () => {
		const own = await db.applications.get(id);
		if (own) return (await load(db, [own]))[0] ?? null;
		const server = await db.mirror.get(id);
		return server ? ((await load(db, [fromMirror(server)], new Set([id])))[0] ?? null) : null;
	});
}
