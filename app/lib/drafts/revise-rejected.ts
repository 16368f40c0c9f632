import type { DalaDatabase, Draft } from '../db/database';
import { createDraft, startAmendment } from './start-draft';

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
