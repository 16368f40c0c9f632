import { redirect } from '@sveltejs/kit';
import { loadDraft } from '$lib/drafts/load-draft';
import { resumeAt } from '$lib/forms/steps';
import type { PageLoad } from './$types';

// Opening a draft continues where the person left it. A correction starts from the
// answers as sent, each with its "Change" link: a person corrects one thing, not all.
export const load: PageLoad = async ({ params }) => {
	const { draft, service } = await loadDraft(params.id);
	// An answer to a request for more information starts at the first step asked.
	const remembered = draft.step ?? (draft.amends && !draft.asked ? 'check' : undefined);
	const visit = draft.migrated?.askOnly ?? draft.asked;
	redirect(307, `/drafts/${draft.id}/${resumeAt(service, remembered, visit)}`);
};
