import { v7 as uuidv7 } from 'uuid';
import type { ApplicationState, Mutation } from '../../../shared/protocol';
import type { Answers } from '../../../shared/services/validate';
import type { DalaDatabase, Draft, OutboxEntry } from './database';

/** Starts a draft for a service; its id becomes the application's id. */
export async function createDraft(
	db: DalaDatabase,
	serviceId: string,
	serviceVersion: number,
	answers: Answers = {}
): Promise<Draft> {
	const now = Date.now();
	const draft: Draft = {
		id: uuidv7(),
		serviceId,
		serviceVersion,
		answers,
		createdAt: now,
		updatedAt: now
	};
	await db.drafts.add(draft);
	return draft;
}

/**
 * Sends a draft: a new application and its outbox mutation, or a correction of one the
 * server holds, in ONE transaction: after a crash there is either the draft, or what it
 * became and the mutation that will send it — never one without the other.
 * `answers` are the validated, normalized ones. It writes drafts, applications, outbox
 * and files: a caller's enclosing transaction must include all four.
 */
export async function submitDraft(
	db: DalaDatabase,
	draftId: string,
	answers: Answers
): Promise<void> {
	await db.transaction('rw', [db.drafts, db.applications, db.outbox, db.files], async () => {
		const draft = await db.drafts.get(draftId);
		// Already sent (a double click, a second tab): nothing more to do.
		if (!draft) return;
		const now = Date.now();
		// Photos the person replaced while filling the draft are named by no answer: they
		// would wait on the device forever, never sent.
		const named = new Set(Object.values(answers));
		const photos = await db.files.where('draftId').equals(draft.id).toArray();
		await db.files.bulkDelete(photos.filter((f) => !named.has(f.sha256)).map((f) => f.id));
		if (draft.amends) {
			const { applicationId, baseVersion } = draft.amends;
			// Photos taken for the correction now belong to the application, so they leave
			// the device with its others once delivered (app/lib/files/prune.ts).
			await db.files.where('draftId').equals(draft.id).modify({ draftId: applicationId });
			await db.applications.update(applicationId, { answers });
			await db.outbox.add({
				id: uuidv7(),
				type: 'application.amend',
				applicationId,
				baseVersion,
				answers,
				createdAt: now
			});
		} else {
			await db.applications.add({
				id: draft.id,
				serviceId: draft.serviceId,
				serviceVersion: draft.serviceVersion,
				answers,
				submittedAt: now
			});
			await db.outbox.add({
				id: uuidv7(),
				type: 'application.submit',
				applicationId: draft.id,
				serviceId: draft.serviceId,
				serviceVersion: draft.serviceVersion,
				answers,
				createdAt: now
			});
		}
		await db.drafts.delete(draft.id);
	});
}

/**
 * Starts a correction of an application the server holds, from the answers it holds,
 * based on the server version the person is looking at.
 */
export async function startAmendment(db: DalaDatabase, server: ApplicationState): Promise<Draft> {
	const now = Date.now();
	const draft: Draft = {
		id: uuidv7(),
		serviceId: server.serviceId,
		serviceVersion: server.serviceVersion,
		answers: { ...server.answers },
		amends: { applicationId: server.id, baseVersion: server.version },
		createdAt: now,
		updatedAt: now
	};
	await db.drafts.add(draft);
	return draft;
}

/** True while an entry still has to be sent: refused and conflicting ones are answered. */
export function isPending(entry: OutboxEntry): boolean {
	return !entry.rejection && !entry.conflict;
}

/** Mutations still to send, oldest first. Answered ones stay for the person to see. */
export async function pendingMutations(db: DalaDatabase, limit: number): Promise<OutboxEntry[]> {
	return db.outbox.orderBy('seq').filter(isPending).limit(limit).toArray();
}

/** The wire form of an outbox entry. */
export function toMutation(entry: OutboxEntry): Mutation {
	const { seq, createdAt: _c, rejection: _r, conflict: _k, ...mutation } = entry;
	if (seq === undefined) throw new Error('outbox entry has no sequence number');
	return { ...mutation, seq };
}

/**
 * For a refused mutation: puts its answers back into a draft so the person can correct
 * them, and removes the refused entry — in one transaction, so nothing is lost. A refused
 * submission becomes a new application draft; a refused correction, a new correction.
 */
export async function reviseRejected(db: DalaDatabase, seq: number): Promise<Draft> {
	return db.transaction('rw', [db.drafts, db.applications, db.outbox, db.mirror], async () => {
		const entry = await db.outbox.get(seq);
		if (!entry?.rejection) throw new Error(`no refused mutation ${seq}`);
		await db.outbox.delete(seq);
		if (entry.type === 'application.submit') {
			await db.applications.delete(entry.applicationId);
			return createDraft(db, entry.serviceId, entry.serviceVersion, entry.answers);
		}
		const server = await db.mirror.get(entry.applicationId);
		if (!server) throw new Error(`no server state for ${entry.applicationId}`);
		const draft = await startAmendment(db, server);
		await db.drafts.update(draft.id, { answers: entry.answers });
		return { ...draft, answers: entry.answers };
	});
}

/**
 * Settles a correction the server answered with `conflict`: the person either drops it,
 * or makes it again on top of the server's current version (a new mutation, never an
 * edit of the queued one).
 */
export async function resolveConflict(
	db: DalaDatabase,
	seq: number,
	choice: 'discard' | 'reapply'
): Promise<void> {
	await db.transaction('rw', db.outbox, async () => {
		const entry = await db.outbox.get(seq);
		if (!entry?.conflict || entry.type !== 'application.amend') return;
		await db.outbox.delete(seq);
		if (choice === 'reapply') {
			await db.outbox.add({
				id: uuidv7(),
				type: 'application.amend',
				applicationId: entry.applicationId,
				baseVersion: entry.conflict.version,
				answers: entry.answers,
				createdAt: Date.now()
			});
		}
	});
}
