import type { StoredFile } from '../db/database';
import { db } from '../db/instance';
import { Live } from '../live.svelte';

/**
 * The device's copy of a photo answer and a thumbnail URL for it, following the answer as
 * it changes. Any copy with the hash will do: the same bytes whichever draft stored them.
 * Call during a component's setup (it owns an effect that frees the URL).
 */
export function storedPhoto(sha256: () => string) {
	// The answer is read here, not in the query: a new answer makes a new query.
	const stored = $derived.by(() => {
		const hash = sha256();
		return new Live(async () =>
			hash ? ((await db.files.where('sha256').equals(hash).first()) ?? null) : null
		);
	});
	let thumbnail = $state<string>();
	$effect(() => {
		const blob = stored.current?.blob;
		if (!blob) {
			thumbnail = undefined;
			return;
		}
		const url = URL.createObjectURL(blob);
		thumbnail = url;
		return () => URL.revokeObjectURL(url);
	});
	return {
		/** The copy on this device: undefined while loading, null when there is none. */
		get file(): StoredFile | null | undefined {
			return stored.current;
		},
		get thumbnail(): string | undefined {
			return thumbnail;
		}
	};
}
