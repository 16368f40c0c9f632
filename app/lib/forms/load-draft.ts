import { error, redirect } from '@sveltejs/kit';
import { findService } from '../../../shared/services/catalog';
import { db } from '../db/instance';
import { clearJournal, dropJournal, newerJournal, readJournal } from './draft-journal';

/** Loads a draft and its service for the form pages. */
export async function loadDraft(id: string) {
	let draft = await db.drafts.get(id);
	if (!draft) dropJournal(localStorage, id);
	if (!draft) {
		// Submitted meanwhile (perhaps in another tab): show the application instead.
		if (await db.applications.get(id)) redirect(307, `/applications/${id}`);
		error(404, 'draft not found');
	}
	// The page went away before IndexedDB committed the last change: finish that write now.
	const journal = newerJournal(readJournal(localStorage, id), draft.updatedAt);
	if (journal) {
		draft = { ...draft, answers: journal.answers, updatedAt: journal.at };
		await db.drafts.update(id, { answers: journal.answers, updatedAt: journal.at });
		clearJournal(localStorage, id, journal.at);
	}
	const service = findService(draft.serviceId, draft.serviceVersion);
	if (!service) error(404, 'service not found');
	return { draft, service };
}
