import { v7 as uuidv7 } from 'uuid';
import type { Mutation } from '../../../shared/protocol';
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
 * Turns a draft into a submitted application and its outbox mutation in ONE
 * transaction: after a crash there is either a draft, or an application that will be
 * sent — never an application with nothing to send it, nor a lost draft.
 * `answers` are the validated, normalized ones.
 */
export async function submitDraft(
	db: DalaDatabase,
	draftId: string,
	answers: Answers
): Promise<void> {
	await db.transaction('rw', db.drafts, db.applications, db.outbox, async () => {
		const draft = await db.drafts.get(draftId);
		// Already submitted (a double click, a second tab): nothing more to do.
		if (!draft) return;
		const now = Date.now();
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
		await db.drafts.delete(draft.id);
	});
}

/** Mutations still to send, oldest first. Rejected ones are done and stay for the person. */
export async function pendingMutations(db: DalaDatabase, limit: number): Promise<OutboxEntry[]> {
	return db.outbox
		.orderBy('seq')
		.filter((entry) => !entry.rejection)
		.limit(limit)
		.toArray();
}

/** The wire form of an outbox entry. */
export function toMutation(entry: OutboxEntry): Mutation {
	if (entry.seq === undefined) throw new Error('outbox entry has no sequence number');
	return {
		id: entry.id,
		seq: entry.seq,
		type: entry.type,
		applicationId: entry.applicationId,
		serviceId: entry.serviceId,
		serviceVersion: entry.serviceVersion,
		answers: entry.answers
	};
}

/**
 * For a refused application: puts its answers back into a new draft so the person can
 * correct them, and removes the refused one — in one transaction, so nothing is lost.
 */
export async function reviseRejected(db: DalaDatabase, applicationId: string): Promise<Draft> {
	return db.transaction('rw', db.drafts, db.applications, db.outbox, async () => {
		const application = await db.applications.get(applicationId);
		if (!application) throw new Error(`no application ${applicationId}`);
		const draft = await createDraft(
			db,
			application.serviceId,
			application.serviceVersion,
			application.answers
		);
		await db.outbox.where('applicationId').equals(applicationId).delete();
		await db.applications.delete(applicationId);
		return draft;
	});
}
