import { v7 as uuidv7 } from 'uuid';
import type { Answers } from '../../../shared/services/validate';
import type { DalaDatabase } from '../db/database';

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
