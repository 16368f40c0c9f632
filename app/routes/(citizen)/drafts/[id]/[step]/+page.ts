import { error } from '@sveltejs/kit';
import { loadDraft } from '$lib/drafts/load-draft';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params }) => {
	const { draft, service } = await loadDraft(params.id);
	const step = service.steps.find((s) => s.id === params.step);
	if (!step) error(404, 'step not found');
	return { draft, service, step };
};
