/**
 * The trust list this device checks documents with: the last one fetched from
 * `GET /api/documents/keys`, kept in localStorage so `/verify` answers with no network. It
 * only grows more useful with age: a key added later shows as unknown, never as false; a
 * compromise reaches this device with its next fetch.
 */
import * as v from 'valibot';
import { TrustList } from '../../../shared/documents/trust';
import { keptJson } from './kept-json';

const STORAGE_KEY = 'dala.trust-list';

/** What was fetched last, and when; undefined before the first fetch. */
export interface KeptTrustList {
	list: TrustList;
	/** ISO time of the fetch. */
	fetchedAt: string;
}

const Kept = v.object({ list: TrustList, fetchedAt: v.string() });

export function keptTrustList(storage: Storage = localStorage): KeptTrustList | undefined {
	return keptJson(storage, STORAGE_KEY, Kept);
}

/**
 * Fetches the trust list and keeps it; answers what is kept after (the old list when the
 * network or the server failed: checking goes on with what the device has).
 */
export async function refreshTrustList(
	baseUrl = '',
	storage: Storage = localStorage
): Promise<KeptTrustList | undefined> {
	try {
		const response = await fetch(`${baseUrl}/api/documents/keys`, { cache: 'no-cache' });
		if (response.ok) {
			const list = v.parse(TrustList, await response.json());
			const kept = { list, fetchedAt: new Date().toISOString() };
			storage.setItem(STORAGE_KEY, JSON.stringify(kept));
			return kept;
		}
	} catch {
		// Offline, or an answer that is not a trust list: keep what we have.
	}
	return keptTrustList(storage);
}
