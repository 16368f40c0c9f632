import { loadDraft } from '$lib/drafts/load-draft';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ params }) => loadDraft(params.id);
