/**
 * `/verify` is outside the citizen's install, yet must work offline once visited. The
 * service worker keeps its files when it sees them fetched; on a first visit they were
 * fetched before the worker took the page, so the page names what it loaded and the worker
 * keeps those it recognises (app/service-worker.ts, KEEP_VISITED).
 */
export async function keepThisPageOffline(): Promise<void> {
	if (!('serviceWorker' in navigator)) return;
	const registration = await navigator.serviceWorker.ready;
	const urls = performance.getEntriesByType('resource').map((entry) => entry.name);
	registration.active?.postMessage({ type: 'KEEP_VISITED', urls });
}
