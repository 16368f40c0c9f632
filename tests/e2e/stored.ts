import type { Page } from 'playwright-core';
import type { Session } from '../../shared/session';

/**
 * Every place the page's origin keeps data, as text: each IndexedDB record (blobs read as
 * bytes), each Cache Storage response, and web storage. What a search for a person must
 * come up empty in.
 */
export function everythingStored(page: Page): Promise<string> {
	return page.evaluate(async () => {
		const parts: string[] = [
			JSON.stringify({ ...localStorage }),
			JSON.stringify({ ...sessionStorage })
		];
		const text = async (value: unknown): Promise<string> => {
			if (value instanceof Blob) return new TextDecoder().decode(await value.arrayBuffer());
			if (Array.isArray(value)) return (await Promise.all(value.map(text))).join(' ');
			if (value && typeof value === 'object') {
				return (await Promise.all(Object.values(value).map(text))).join(' ');
			}
			return String(value);
		};
		for (const { name } of await indexedDB.databases()) {
			if (!name) continue;
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const open = indexedDB.open(name);
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error);
			});
			for (const store of db.objectStoreNames) {
				const rows = await new Promise<unknown[]>((resolve, reject) => {
					const request = db.transaction(store).objectStore(store).getAll();
					request.onsuccess = () => resolve(request.result);
					request.onerror = () => reject(request.error);
				});
				parts.push(await text(rows));
			}
			db.close();
		}
		for (const name of await caches.keys()) {
			const cache = await caches.open(name);
			for (const request of await cache.keys()) {
				const response = await cache.match(request);
				if (response) parts.push(await response.text());
			}
		}
		return parts.join('\n');
	});
}

/** The session the app keeps in IndexedDB (meta `session`), where only its sync code reads it. */
export function storedSession(page: Page): Promise<Session | undefined> {
	return page.evaluate(
		() =>
			new Promise<Session | undefined>((resolve, reject) => {
				const open = indexedDB.open('dala');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const request = open.result.transaction('meta').objectStore('meta').get('session');
					request.onerror = () => reject(request.error);
					request.onsuccess = () => {
						open.result.close();
						resolve((request.result as { value: Session } | undefined)?.value);
					};
				};
			})
	);
}

/** True when localStorage or sessionStorage holds something shaped like a token. */
export function tokenInWebStorage(page: Page): Promise<boolean> {
	return page.evaluate(() =>
		/d[ar]_[A-Za-z0-9_-]{43}/.test(
			JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })
		)
	);
}

/** The document's code as the phone keeps it, once the sync has brought it (≤ 30 s). */
export async function documentOnPhone(page: Page): Promise<string> {
	const read = () =>
		page.evaluate(
			() =>
				new Promise<string | undefined>((resolve, reject) => {
					const open = indexedDB.open('dala');
					open.onerror = () => reject(open.error);
					open.onsuccess = () => {
						const request = open.result.transaction('mirror').objectStore('mirror').getAll();
						request.onerror = () => reject(request.error);
						request.onsuccess = () => {
							open.result.close();
							const states = request.result as { document?: string }[];
							resolve(states.find((state) => state.document)?.document);
						};
					};
				})
		);
	for (const until = Date.now() + 30_000; Date.now() < until;) {
		// The page may be moving from the confirmation to the application meanwhile.
		const found = await read().catch(() => undefined);
		if (found) return found;
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error('no document reached the phone within 30 s');
}
