const HIDDEN_KEY = 'dala-storage-warning-hidden';

/**
 * Asks the browser not to evict Dala's storage under pressure. Without it an origin's
 * IndexedDB can be wiped whole, queued applications included; the page tells the
 * person when the browser refused, until they have read it and hidden it.
 */
class StoragePersistence {
	refused = $state(false);
	hidden = $state(false);

	async request(): Promise<void> {
		this.hidden = localStorage.getItem(HIDDEN_KEY) === '1';
		if (!navigator.storage?.persist) return;
		const persisted = (await navigator.storage.persisted()) || (await navigator.storage.persist());
		this.refused = !persisted;
	}

	hide(): void {
		this.hidden = true;
		localStorage.setItem(HIDDEN_KEY, '1');
	}
}

export const storagePersistence = new StoragePersistence();
