import type { DalaDatabase } from '../db/database';
import { dropJournal } from './draft-journal';

/** Deletes a draft the person chose to throw away, with the photos only it held. */
export async function deleteDraft(db: DalaDatabase, id: string): Promise<void> {
	await db.transaction('rw', db.drafts, db.files, async () => {
		await db.drafts.delete(id);
		await db.files.where('draftId').equals(id).delete();
	});
	// Its unsaved last change too, or opening the id again would find it.
	dropJournal(localStorage, id);
}
