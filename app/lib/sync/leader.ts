import { SYNC_LOCK } from './names';

/**
 * Makes this tab the sync leader whenever it can be. The Web Lock is held for the life of
 * the tab; when the tab closes or crashes the browser releases it and the next waiting tab
 * takes over. A tab being frozen (hidden long on a phone) lets go too, so a frozen tab
 * never holds the queue hostage, and queues up again when it resumes.
 * Browsers without Web Locks lead in every tab, which the server's idempotency keeps safe.
 * Returns whether this tab leads right now.
 */
export function electLeader(onLead: () => Promise<void>): () => boolean {
	let leading = false;
	if (!('locks' in navigator)) {
		leading = true;
		void onLead();
		return () => leading;
	}
	let release: (() => void) | undefined;
	let waiting = false;
	const acquire = () => {
		if (leading || waiting) return;
		waiting = true;
		void navigator.locks.request(SYNC_LOCK, async () => {
			waiting = false;
			leading = true;
			await onLead();
			await new Promise<void>((resolve) => (release = resolve));
			leading = false;
		});
	};
	document.addEventListener('freeze', () => release?.());
	document.addEventListener('resume', acquire);
	acquire();
	return () => leading;
}
