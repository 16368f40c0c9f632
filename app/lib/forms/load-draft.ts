import { error, redirect } from '@sveltejs/kit';
import { findService } from '../../../shared/services/catalog';
import { db } from '../db/instance';

/** Loads a draft and its service for the form pages. */
export async function loadDraft(id: string) {
	const draft = await db.drafts.get(id);
	if (!draft) {
		// Submitted meanwhile (perhaps in another tab): show the application instead.
		if (await db.applications.get(id)) redirect(307, `/applications/${id}`);
		error(404, 'draft not found');
	}
	const service = findService(draft.serviceId, draft.serviceVersion);
	if (!service) error(404, 'service not found');
	return { draft, service };
}
