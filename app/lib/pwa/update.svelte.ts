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
	#requested = false;

	async register(): Promise<void> {
		if (!('serviceWorker' in navigator)) return;
		// Loaded on demand: it is not needed for the first paint, and it is CommonJS.
		const { Workbox } = await import('workbox-window');
		const workbox = new Workbox('/service-worker.js');
		// workbox-window's own isUpdate says only whether the page was controlled when it
		// registered, which is false for the whole first visit; track it ourselves.
		let controlled = Boolean(navigator.serviceWorker.controller);
		workbox.addEventListener('waiting', () => (this.ready = true));
		workbox.addEventListener('controlling', () => {
			if (this.#requested) location.reload();
			// Another tab took the update: this page runs old code under the new worker.
			else if (controlled) this.ready = true;
			controlled = true;
		});
		this.#workbox = workbox;
		await workbox.register();
	}

	async apply(): Promise<void> {
		await flushWrites();
		this.#requested = true;
		const registration = await navigator.serviceWorker.getRegistration();
		if (registration?.waiting) this.#workbox?.messageSkipWaiting();
		else location.reload();
	}
}

export const appUpdate = new AppUpdate();
