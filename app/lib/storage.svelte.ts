/**
 * Asks the browser not to evict Dala's storage under pressure. Without it an origin's
 * IndexedDB can be wiped whole, queued applications included; the page tells the
 * person when the browser refused.
 */
class StoragePersistence {
	refused = $state(false);

	async request(): Promise<void> {
		if (!navigator.storage?.persist) return;
		const persisted = (await navigator.storage.persisted()) || (await navigator.storage.persist());
		this.refused = !persisted;
	}
}

export const storagePersistence = new StoragePersistence();
