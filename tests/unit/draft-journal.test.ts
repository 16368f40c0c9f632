import { describe, expect, it } from 'vitest';
import {
	clearJournal,
	dropJournal,
	journalKey,
	newerJournal,
	readJournal,
	writeJournal,
	type JournalStorage
} from '../../app/lib/drafts/draft-journal';

/** A Web Storage stand-in; `full` makes every write throw as a full quota does. */
function memoryStorage(full = false): JournalStorage & { items: Map<string, string> } {
	const items = new Map<string, string>();
	return {
		items,
		getItem: (key) => items.get(key) ?? null,
		setItem: (key, value) => {
			if (full) throw new DOMException('quota', 'QuotaExceededError');
			items.set(key, value);
		},
		removeItem: (key) => void items.delete(key)
	};
}

describe('the draft journal', () => {
	it('reads back what was written', () => {
		const storage = memoryStorage();
		expect(writeJournal(storage, 'd1', { answers: { fullName: 'Айгүл' }, at: 5 })).toBe(true);
		expect(readJournal(storage, 'd1')).toEqual({ answers: { fullName: 'Айгүл' }, at: 5 });
		expect(readJournal(storage, 'd2')).toBeUndefined();
	});

	it('is cleared when its write commits', () => {
		const storage = memoryStorage();
		writeJournal(storage, 'd1', { answers: { house: '12' }, at: 7 });
		clearJournal(storage, 'd1', 7);
		expect(readJournal(storage, 'd1')).toBeUndefined();
	});

	it('keeps a later change when an earlier write commits', () => {
		const storage = memoryStorage();
		writeJournal(storage, 'd1', { answers: { house: '1' }, at: 7 });
		writeJournal(storage, 'd1', { answers: { house: '12' }, at: 8 });
		// The first write commits while the second is still in flight.
		clearJournal(storage, 'd1', 7);
		expect(readJournal(storage, 'd1')).toEqual({ answers: { house: '12' }, at: 8 });
		clearJournal(storage, 'd1', 8);
		expect(readJournal(storage, 'd1')).toBeUndefined();
	});

	it('is applied on load only when newer than the stored draft', () => {
		const entry = { answers: { house: '12' }, at: 8 };
		expect(newerJournal(entry, 7)).toBe(entry);
		expect(newerJournal(entry, 8)).toBeUndefined();
		expect(newerJournal(entry, 9)).toBeUndefined();
		expect(newerJournal(undefined, 0)).toBeUndefined();
	});

	it('ignores an entry it cannot trust', () => {
		const storage = memoryStorage();
		for (const text of ['not json', '{}', '{"answers":{"a":1},"at":1}', '{"answers":[],"at":1}']) {
			storage.items.set(journalKey('d1'), text);
			expect(readJournal(storage, 'd1')).toBeUndefined();
		}
	});

	it('keeps drafts apart and drops one whole', () => {
		const storage = memoryStorage();
		writeJournal(storage, 'd1', { answers: { a: '1' }, at: 1 });
		writeJournal(storage, 'd2', { answers: { a: '2' }, at: 1 });
		dropJournal(storage, 'd1');
		expect(readJournal(storage, 'd1')).toBeUndefined();
		expect(readJournal(storage, 'd2')?.answers).toEqual({ a: '2' });
	});

	it('reports a full storage instead of throwing', () => {
		expect(writeJournal(memoryStorage(true), 'd1', { answers: {}, at: 1 })).toBe(false);
	});
});
