import { loadDraft } from '$lib/forms/load-draft';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ params }) => loadDraft(params.id);
