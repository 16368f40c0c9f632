/**
 * The revocation list this device checks documents with: the newest signed list it was
 * handed by `GET /api/documents/revoked`, kept in localStorage beside the trust list so
 * `/verify` answers "revoked" with no network. Kept as signed and read again at every use,
 * so a key since marked compromised in the trust list stops vouching for it at once.
 *
 * Never replaced by an older list (shared/documents/revocation.ts `replaces`): whoever sits
 * between the phone and the server cannot hand back a list in which a revoked document
 * still stood.
 */
import * as v from 'valibot';
import {
	readRevocationList,
	replaces,
	RevocationListBody,
	type RevocationList
} from '../../../shared/documents/revocation';
import type { TrustList } from '../../../shared/documents/trust';

const STORAGE_KEY = 'dala.revocation-list';

const Kept = v.object({ text: v.string(), fetchedAt: v.string() });

/** A list this device holds, read under a trust list, and when it was last fetched. */
export interface KeptRevocationList {
	list: RevocationList;
	/** ISO time of the last fetch that found it the newest. */
	fetchedAt: string;
}

/** The kept list if `trust` still vouches for it; undefined before the first fetch. */
export async function keptRevocationList(
	trust: TrustList,
	storage: Storage = localStorage
): Promise<KeptRevocationList | undefined> {
	let kept: v.InferOutput<typeof Kept>;
	try {
		const parsed = v.safeParse(Kept, JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null'));
		if (!parsed.success) return undefined;
		kept = parsed.output;
	} catch {
		return undefined;
	}
	const list = await readRevocationList(kept.text, trust);
	return typeof list === 'string' ? undefined : { list, fetchedAt: kept.fetchedAt };
}

/**
 * Fetches the list and keeps it when it is genuine under `trust` and not older than the
 * one kept; answers what is kept after (the old list when offline, the server failed, or
 * it handed back an older list).
 */
export async function refreshRevocationList(
	trust: TrustList,
	baseUrl = '',
	storage: Storage = localStorage
): Promise<KeptRevocationList | undefined> {
	const kept = await keptRevocationList(trust, storage);
	try {
		const response = await fetch(`${baseUrl}/api/documents/revoked`, { cache: 'no-cache' });
		if (response.ok) {
			const { list: text } = v.parse(RevocationListBody, await response.json());
			const list = await readRevocationList(text, trust);
			if (typeof list !== 'string' && (!kept || replaces(list, kept.list))) {
				const fetchedAt = new Date().toISOString();
				storage.setItem(STORAGE_KEY, JSON.stringify({ text, fetchedAt }));
				return { list, fetchedAt };
			}
			if (typeof list !== 'string') console.warn('revocation list older than the one kept');
		}
	} catch {
		// Offline, or an answer that is not a list: keep what we have.
	}
	return kept;
}
