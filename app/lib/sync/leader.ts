/**
 * Runs `lead` in exactly one tab of this origin at a time. The Web Lock is held for the
 * life of the tab; when that tab closes or crashes the browser releases it and the next
 * waiting tab takes over. Browsers without Web Locks run it in every tab, which the
 * server's idempotency keeps safe.
 */
export function whenLeader(name: string, lead: () => Promise<void>): void {
	if (!('locks' in navigator)) {
		void lead();
		return;
	}
	void navigator.locks.request(name, async () => {
		await lead();
		// Never resolves: releasing the lock is the tab's closing.
		await new Promise<never>(() => {});
	});
}
