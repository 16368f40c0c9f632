import type { Answers } from '../../../shared/services/validate';

/**
 * A synchronous copy of a draft's latest answers, kept in localStorage until IndexedDB has
 * committed them. An IndexedDB write is asynchronous: a reload, a crash or a closed tab a
 * few milliseconds after a keystroke can drop it, while a localStorage write has finished
 * when `setItem` returns. Each entry carries the stamp its IndexedDB write will set as
 * `updatedAt`, so loading can tell whether the journal is newer than the stored draft.
 */
export interface JournalEntry {
	answers: Answers;
	/** Strictly increasing per draft: the `updatedAt` its IndexedDB write sets. */
	at: number;
}

/** The part of the Web Storage API the journal needs, so tests can pass a Map-backed one. */
export type JournalStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const PREFIX = 'dala.draft-journal.';

/** The localStorage key of a draft's journal entry. */
export function journalKey(draftId: string): string {
	return PREFIX + draftId;
}

/** Records the latest answers; false when storage refused (full, or private mode). */
export function writeJournal(
	storage: JournalStorage,
	draftId: string,
	entry: JournalEntry
): boolean {
	try {
		storage.setItem(journalKey(draftId), JSON.stringify(entry));
		return true;
	} catch {
		// The IndexedDB write still goes ahead; the journal only narrows the window.
		return false;
	}
}

/** The draft's journal entry, or undefined when there is none or it cannot be read. */
export function readJournal(storage: JournalStorage, draftId: string): JournalEntry | undefined {
	let text: string | null;
	try {
		text = storage.getItem(journalKey(draftId));
	} catch {
		return undefined;
	}
	if (!text) return undefined;
	try {
		const entry: unknown = JSON.parse(text);
		if (!isEntry(entry)) return undefined;
		return entry;
	} catch {
		return undefined;
	}
}

/**
 * Clears the entry once IndexedDB committed the write stamped `committedAt`, unless a
 * later change has replaced it meanwhile (that one's write is still in flight).
 */
export function clearJournal(storage: JournalStorage, draftId: string, committedAt: number): void {
	const entry = readJournal(storage, draftId);
	if (entry && entry.at > committedAt) return;
	try {
		storage.removeItem(journalKey(draftId));
	} catch {
		// Nothing to do: a stale entry is older than the draft and is ignored on load.
	}
}

/** Removes the entry whatever it holds: the draft was deleted or submitted. */
export function dropJournal(storage: JournalStorage, draftId: string): void {
	try {
		storage.removeItem(journalKey(draftId));
	} catch {
		// As above.
	}
}

/**
 * The answers to show for a draft stored with `updatedAt`: the journal's when it is newer
 * (its write never committed), otherwise none.
 */
export function newerJournal(
	entry: JournalEntry | undefined,
	updatedAt: number
): JournalEntry | undefined {
	return entry && entry.at > updatedAt ? entry : undefined;
}

function isEntry(value: unknown): value is JournalEntry {
	if (typeof value !== 'object' || value === null) return false;
	const { answers, at } = value as Record<string, unknown>;
	if (typeof at !== 'number' || !Number.isFinite(at)) return false;
	if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) return false;
	return Object.values(answers).every((answer) => typeof answer === 'string');
}
