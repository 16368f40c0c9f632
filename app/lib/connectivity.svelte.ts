/**
 * Whether the browser believes it has a network. It can be wrong in one direction only
 * (online but no route to the server), which the sync status shows separately.
 */
class Connectivity {
	online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);

	constructor() {
		if (typeof window === 'undefined') return;
		addEventListener('online', () => (this.online = true));
		addEventListener('offline', () => (this.online = false));
	}
}

export const connectivity = new Connectivity();
