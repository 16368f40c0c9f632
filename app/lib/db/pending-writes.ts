/**
 * Writes the page has started but IndexedDB has not yet confirmed. Anything that
 * reloads the page on purpose (the update prompt, a language change) waits for these
 * first, so a reload never drops what the person just typed.
 */
const pending = new Set<Promise<unknown>>();

/** Tracks a write until it settles, and returns it. */
export function track<T>(write: Promise<T>): Promise<T> {
	pending.add(write);
	void write.finally(() => pending.delete(write)).catch(() => {});
	return write;
}

/** Resolves once every tracked write has settled. */
export async function flushWrites(): Promise<void> {
	while (pending.size > 0) await Promise.allSettled([...pending]);
}
