import type { Workbox } from 'workbox-window';
import { flushWrites } from '../db/pending-writes';

/**
 * Registers the service worker and tells the page when a new version is waiting.
 * The new worker only takes over when the person says so, after every pending
 * IndexedDB write has landed, and the page reloads once it controls it.
 */
class AppUpdate {
	ready = $state(false);
	#workbox: Workbox | null = null;

	async register(): Promise<void> {
		if (!('serviceWorker' in navigator)) return;
		// Loaded on demand: it is not needed for the first paint, and it is CommonJS.
		const { Workbox } = await import('workbox-window');
		const workbox = new Workbox('/service-worker.js');
		workbox.addEventListener('waiting', () => (this.ready = true));
		workbox.addEventListener('controlling', (event) => {
			if (event.isUpdate) location.reload();
		});
		this.#workbox = workbox;
		await workbox.register();
	}

	async apply(): Promise<void> {
		await flushWrites();
		this.#workbox?.messageSkipWaiting();
	}
}

export const appUpdate = new AppUpdate();
