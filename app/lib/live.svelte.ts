import { liveQuery } from 'dexie';
import { createSubscriber } from 'svelte/reactivity';

/**
 * A Dexie liveQuery as a reactive value: components read `.current`, which follows
 * IndexedDB changes from this tab and every other tab. Undefined until the first result.
 */
export class Live<T> {
	#value = $state.raw<T | undefined>(undefined);
	#subscribe: () => void;

	constructor(query: () => T | Promise<T>) {
		this.#subscribe = createSubscriber((update) => {
			const subscription = liveQuery(query).subscribe({
				next: (value) => {
					this.#value = value;
					update();
				},
				error: (error: unknown) => console.error('live query failed', error)
			});
			return () => subscription.unsubscribe();
		});
	}

	get current(): T | undefined {
		this.#subscribe();
		return this.#value;
	}
}
