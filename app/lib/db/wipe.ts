import type { DalaDatabase } from './database';

/**
 * Keys of web storage that say nothing of anyone: the interface language (Paraglide's
 * key) stays, so the next person is not greeted in a language they did not choose.
 */
const KEPT_KEYS = ['PARAGLIDE_LOCALE'];

/**
 * Removes everything of the person from this device: the whole database (drafts, the
 * queue, the applications mirror, photos, the session, the device key itself, so the next
 * person's device is not even the same device to the server), the draft journals in
 * localStorage, and sessionStorage. Cache Storage holds only the app's own files.
 *
 * Other tabs and the service worker hold the database open: deleting it asks them to
 * close (Dexie closes on `versionchange`), and each open page reloads then (instance.ts),
 * so none writes the person's data back. A sync running here meanwhile fails on the
 * closed database and writes nothing either: `delete` leaves this instance closed.
 */
export async function wipeDevice(db: DalaDatabase): Promise<void> {
	await db.delete();
	// A page has web storage; the service worker has none.
	const { localStorage, sessionStorage } = globalThis as WithWebStorage;
	if (localStorage) {
		const kept = KEPT_KEYS.map((key) => [key, localStorage.getItem(key)] as const);
		localStorage.clear();
		for (const [key, value] of kept) if (value !== null) localStorage.setItem(key, value);
	}
	sessionStorage?.clear();
}

/** What this module needs of web storage (the worker's library has no `Storage` type). */
interface WebStorage {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
	clear(): void;
}
type WithWebStorage = { localStorage?: WebStorage; sessionStorage?: WebStorage };
