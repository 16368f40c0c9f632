/**
 * The revocation list this device checks documents with: kept in localStorage beside the
 * trust list so `/verify` answers "revoked" with no network, as signed, and read again at
 * every use, so a key since marked compromised in the trust list stops vouching for it at
 * once.
 *
 * A list fetched (by a sync, or by /verify online: kept-revocations.ts) takes the kept
 * one's place only when it is genuine and not older (shared/documents/revocation.ts
 * `replaces`): whoever sits between the phone and the server cannot hand back a list in
 * which a revoked document still stood.
 */
import * as v from 'valibot';
import {
	readRevocationList,
	replaces,
	type RevocationList
} from '../../../shared/documents/revocation';
import type { TrustList } from '../../../shared/documents/trust';
import {
	fetchRevocationList,
	FETCHED_REVOCATION_LIST_KEY,
	REVOCATION_LIST_KEY
} from './kept-revocations';
import { keptJson } from './kept-json';

const Stored = v.object({ text: v.string(), fetchedAt: v.string() });

/** A list this device holds, read under a trust list, and when it was fetched. */
export interface KeptRevocationList {
	list: RevocationList;
	/** ISO time of the fetch that brought it. */
	fetchedAt: string;
}

/** The list stored under `key` if `trust` vouches for it. */
async function read(
	key: string,
	trust: TrustList,
	storage: Storage
): Promise<(KeptRevocationList & { text: string }) | undefined> {
	const stored = keptJson(storage, key, Stored);
	if (!stored) return undefined;
	const list = await readRevocationList(stored.text, trust);
	return typeof list === 'string' ? undefined : { ...stored, list };
}

/**
 * The list to check with under `trust`: the last one fetched if it is genuine and not
 * older than the kept one (it is kept from then), else the kept one; undefined when this
 * device has none.
 */
export async function keptRevocationList(
	trust: TrustList,
	storage: Storage = localStorage
): Promise<KeptRevocationList | undefined> {
	const kept = await read(REVOCATION_LIST_KEY, trust, storage);
	const fetched = await read(FETCHED_REVOCATION_LIST_KEY, trust, storage);
	storage.removeItem(FETCHED_REVOCATION_LIST_KEY);
	if (fetched && (!kept || replaces(fetched.list, kept.list))) {
		storage.setItem(
			REVOCATION_LIST_KEY,
			JSON.stringify({ text: fetched.text, fetchedAt: fetched.fetchedAt })
		);
		return { list: fetched.list, fetchedAt: fetched.fetchedAt };
	}
	return kept && { list: kept.list, fetchedAt: kept.fetchedAt };
}

/** Fetches the newest list and answers the one to check with (see `keptRevocationList`). */
export async function refreshRevocationList(
	trust: TrustList,
	storage: Storage = localStorage
): Promise<KeptRevocationList | undefined> {
	await fetchRevocationList('', storage);
	return keptRevocationList(trust, storage);
}
