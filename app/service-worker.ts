/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker';
import { clientsClaim } from 'workbox-core';
import {
	cleanupOutdatedCaches,
	createHandlerBoundToURL,
	precacheAndRoute
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope;

// The app shell: every built asset, every static file and the SPA entry page. Files
// under _app/immutable carry a content hash in their name, so they need no revision;
// the rest are revisioned by the build version.
precacheAndRoute([
	...build.map((url) => ({ url, revision: url.includes('/immutable/') ? null : version })),
	...files.map((url) => ({ url, revision: version })),
	{ url: '/index.html', revision: version }
]);
cleanupOutdatedCaches();

// Any address the app knows opens offline from the cached shell; the API never does.
registerRoute(
	new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] })
);

// The first install takes the open page at once, so it works offline from the first
// visit. An update waits until the person chooses to reload (see app/lib/pwa).
clientsClaim();
self.addEventListener('message', (event) => {
	if (event.data?.type === 'SKIP_WAITING') void self.skipWaiting();
});
