import type { DalaDatabase } from '../../app/lib/db/database';
import { createDraft } from '../../app/lib/drafts/start-draft';
import { submitDraft } from '../../app/lib/drafts/submit-draft';
import { MOTHER_IIN } from './service-answers';

/** Queues `count` applications the server accepts, as the person submits them offline. */
export async function queueApplications(db: DalaDatabase, count: number): Promise<void> {
	for (let i = 0; i < count; i++) {
		const answers = {
			iin: MOTHER_IIN,
			fullName: `Person ${i}`,
			businessName: 'IE Seitkali',
			activity: 'retail',
			address: 'Almaty region, Talgar, Abay 1',
			phone: '+77012345678'
		};
		const draft = await createDraft(db, 'individual-entrepreneur', 1, answers);
		await submitDraft(db, draft.id, answers);
	}
}
