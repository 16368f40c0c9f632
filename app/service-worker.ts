/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="vite/client" />
import { build, files, version } from '$service-worker';
import { clientsClaim } from 'workbox-core';
import {
	cleanupOutdatedCaches,
	createHandlerBoundToURL,
	precacheAndRoute
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import { sessionTokens } from './lib/sync/session-tokens';
import { getMeta, openDatabase } from './lib/db/database';
import { deviceIdentity } from './lib/sync/device';
import { SyncEngine, waitsForPerson } from './lib/sync/engine';
import { BACKGROUND_SYNC_TAG, SYNC_LOCK } from './lib/sync/names';
import { httpTransport } from './lib/sync/transport';

declare const self: ServiceWorkerGlobalScope;

/**
 * Files only staff, office, administrator or verify pages load: the client build lists them
 * (scripts/precache-exclusions.ts) just before this worker is built. A glob rather than an
 * import, so a tree that was never built still type-checks; the build always writes it.
 */
const outsideCitizenApp = new Set(
	Object.values(
		import.meta.glob<string[]>('/.svelte-kit/dala/precache-excluded.json', {
			eager: true,
			import: 'default'
		})
	).flat()
);

/**
 * Files of the pages outside the install that work offline once visited (`/verify` and its
 * QR decoder): written beside the list above, kept at runtime when first fetched.
 */
const cachedOnceVisited = new Set(
	Object.values(
		import.meta.glob<string[]>('/.svelte-kit/dala/cached-once-visited.json', {
			eager: true,
			import: 'default'
		})
	).flat()
);
const ONCE_VISITED_CACHE = 'dala-once-visited';

// The app shell: every built asset a citizen's page can load, every static file and the
// SPA entry page. Files under _app/immutable carry a content hash in their name, so they
// need no revision; the rest are revisioned by the build version.
precacheAndRoute([
	...build
		.filter((url) => !outsideCitizenApp.has(url))
		.map((url) => ({ url, revision: url.includes('/immutable/') ? null : version })),
	...files.map((url) => ({ url, revision: version })),
	{ url: '/index.html', revision: version }
]);
cleanupOutdatedCaches();

// Any address the app knows opens offline from the cached shell; the API never does.
registerRoute(
	new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] })
);

// Their names carry a content hash, so a kept copy is right for as long as it is named.
registerRoute(
	({ url, sameOrigin }) => sameOrigin && cachedOnceVisited.has(url.pathname),
	new CacheFirst({ cacheName: ONCE_VISITED_CACHE })
);

/**
 * A page of those asks, once this worker is active, for the files it loaded before the
 * worker controlled it (a first visit's): only those this build names are fetched and kept.
 */
async function keepVisited(urls: unknown): Promise<void> {
	if (!Array.isArray(urls)) return;
	const cache = await caches.open(ONCE_VISITED_CACHE);
	const missing: string[] = [];
	for (const url of urls) {
		if (typeof url !== 'string') continue;
		const { origin, pathname } = new URL(url, self.location.origin);
		if (origin !== self.location.origin || !cachedOnceVisited.has(pathname)) continue;
		if (!(await cache.match(pathname))) missing.push(pathname);
	}
	await cache.addAll(missing);
}

// A new build drops what it no longer names; a file both builds share stays kept.
self.addEventListener('activate', (event) => {
	event.waitUntil(
		caches.open(ONCE_VISITED_CACHE).then(async (cache) => {
			for (const request of await cache.keys()) {
				if (!cachedOnceVisited.has(new URL(request.url).pathname)) await cache.delete(request);
			}
		})
	);
});

// The first install takes the open page at once, so it works offline from the first
// visit. An update waits until the person chooses to reload (see app/lib/pwa).
clientsClaim();
self.addEventListener('message', (event) => {
	if (event.data?.type === 'SKIP_WAITING') void self.skipWaiting();
	if (event.data?.type === 'KEEP_VISITED') event.waitUntil(keepVisited(event.data.urls));
});

/**
 * Background Sync (Chromium): the browser wakes this worker when the network returns.
 * An open page leads syncing, so it is asked to sync; with no page open the worker
 * syncs itself, under the same Web Lock the pages use, so the two never send at once.
 * A failed pass throws, and the browser tries the event again later.
 */
async function backgroundSync(): Promise<void> {
	const pages = await self.clients.matchAll({ type: 'window' });
	if (pages.length > 0) {
		for (const page of pages) page.postMessage({ type: 'sync' });
		return;
	}
	await navigator.locks.request(SYNC_LOCK, async () => {
		const db = openDatabase();
		try {
			const device = await deviceIdentity(db);
			const session = sessionTokens(db, device);
			const engine = new SyncEngine({ db, transport: httpTransport(device, { session }) });
			// A failure only the person can end (sign in, update) is not worth the retries.
			if (!(await engine.sync()) && !waitsForPerson((await getMeta(db, 'sync'))?.lastError)) {
				throw new Error('sync failed; the browser will retry');
			}
		} finally {
			db.close();
		}
	});
}

self.addEventListener('sync', (event) => {
	const sync = event as Event & { tag: string; waitUntil(p: Promise<unknown>): void };
	if (sync.tag === BACKGROUND_SYNC_TAG) sync.waitUntil(backgroundSync());
});
