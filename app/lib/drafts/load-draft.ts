import { error, redirect } from '@sveltejs/kit';
import { findIn, servicesOf, storedCatalogue } from '../catalogue/device-catalogue';
import { db } from '../db/instance';
import { track } from '../db/pending-writes';
import { clearJournal, dropJournal, newerJournal, readJournal } from './draft-journal';
import { draftMove } from './migrate-draft';

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
	const stored = await storedCatalogue(db);
	let service = findIn(stored, draft.serviceId, draft.serviceVersion);
	if (!service) error(404, 'service not found');
	// The version it was started on is retired: move it, keeping every answer that carries.
	const move = draftMove(service, servicesOf(stored), draft);
	if (move) {
		const change = {
			serviceVersion: move.service.version,
			answers: move.answers,
			migrated: { from: draft.serviceVersion, askOnly: move.askOnly },
			step: undefined,
			updatedAt: Math.max(Date.now(), draft.updatedAt + 1)
		};
		await track(db.drafts.update(id, change));
		draft = { ...draft, ...change };
		service = move.service;
	}
	return { draft, service };
}
