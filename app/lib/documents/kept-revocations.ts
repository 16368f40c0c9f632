/**
 * The revocation list as the sync runner handles it, without its reader: every sync fetches
 * the newest into a slot of its own, as fetched (an unchanged one is a 304 with no body).
 * Reading it (CBOR, COSE: 8.6 KB compressed, seconds on 2G) and taking it in place of the
 * kept list only when it is genuine and newer is revocation-list.ts's, at the next check;
 * so a phone that never checks documents never loads the reader, not even on its first
 * visit, and a check with no network uses what the last sync brought.
 */
import * as v from 'valibot';
import { RevocationListBody } from '../../../shared/documents/limits';

/** The list this device checks with: `{ text, fetchedAt }`, genuine when it was kept. */
export const REVOCATION_LIST_KEY = 'dala.revocation-list';
/** The last list fetched, not yet read: older, forged or newer, the next check decides. */
export const FETCHED_REVOCATION_LIST_KEY = 'dala.revocation-list.fetched';

/** Fetches the list into the fetched slot; offline or on a failure, leaves it as it was. */
export async function fetchRevocationList(
	baseUrl = '',
	storage: Storage = localStorage
): Promise<void> {
	try {
		const response = await fetch(`${baseUrl}/api/documents/revoked`, { cache: 'no-cache' });
		if (!response.ok) return;
		const { list } = v.parse(RevocationListBody, await response.json());
		storage.setItem(
			FETCHED_REVOCATION_LIST_KEY,
			JSON.stringify({ text: list, fetchedAt: new Date().toISOString() })
		);
	} catch {
		// Offline, or an answer that is not a list: the kept one stands.
	}
}
