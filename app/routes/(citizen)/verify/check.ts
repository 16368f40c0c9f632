/**
 * One check of a document's code on this device: the trust list and revocation list it is
 * checked with, then the verdict. Separate from the page so every way a code arrives
 * (typed, photo, camera) ends here.
 */
import type { DocumentClaims } from '../../../../shared/documents/claims';
import { DocumentCheck } from '../../../../shared/documents/check';
import { isRevoked } from '../../../../shared/documents/revocation';
import { documentNumber, templateOf } from '../../../../shared/documents/templates';
import { verifyCode, type Verdict } from '../../../../shared/documents/verify';
import { todayInKazakhstan } from '../../../../shared/dates';
import * as v from 'valibot';
import {
	keptRevocationList,
	refreshRevocationList,
	type KeptRevocationList
} from '$lib/documents/revocation-list';
import { keptTrustList, refreshTrustList, type KeptTrustList } from '$lib/documents/trust-list';

/**
 * What the page shows: a verdict, that the document is revoked, or that the device has no
 * trust list to check with.
 */
export type CheckResult =
	| Verdict
	/**
	 * Genuine, but revoked: found on the revocation list of `listOf` (ISO time), or, with
	 * no `listOf`, said so by the register online before the list here has it.
	 */
	| { kind: 'revoked'; claims: DocumentClaims; listOf?: string }
	| { kind: 'no_trust_list' };

/** Which trust list a check used: fetched just now, or the one kept from before. */
export interface KeysUsed {
	fetchedAt: string;
	fresh: boolean;
}

/**
 * The trust list to check with: refreshed first when the browser thinks it is online (a
 * compromise or a new key must reach the check), else the kept one.
 */
export async function trustListNow(): Promise<{ kept?: KeptTrustList; fresh: boolean }> {
	if (!navigator.onLine) return { kept: keptTrustList(), fresh: false };
	const before = keptTrustList()?.fetchedAt;
	const kept = await refreshTrustList();
	return { kept, fresh: kept !== undefined && kept.fetchedAt !== before };
}

/** Both lists, fetched when online: what visiting the page once keeps for checking offline. */
export async function listsNow(): Promise<void> {
	const { kept } = await trustListNow();
	if (kept) await revocationListNow(kept);
}

/**
 * The revocation list to check with: fetched first when the browser thinks it is online,
 * else the kept one; undefined when this device has none yet.
 */
async function revocationListNow(trust: KeptTrustList): Promise<KeptRevocationList | undefined> {
	return navigator.onLine ? refreshRevocationList(trust.list) : keptRevocationList(trust.list);
}

/**
 * The verdict on `text`. Never throws: whatever a camera or a person hands it gets an
 * answer, and nothing but a signature that holds under the trust list is genuine.
 * `revocationsOf` is the time of the revocation list a genuine or expired code was
 * checked against (absent: this device has none yet).
 */
export async function checkCode(text: string): Promise<{
	result: CheckResult;
	keys?: KeysUsed;
	revocationsOf?: string;
	register?: RegisterAnswer;
}> {
	const { kept, fresh } = await trustListNow();
	if (!kept) return { result: { kind: 'no_trust_list' } };
	const keys = { fetchedAt: kept.fetchedAt, fresh };
	try {
		const verdict = await verifyCode(text.trim(), kept.list, todayInKazakhstan());
		if (verdict.kind !== 'genuine' && verdict.kind !== 'expired') return { result: verdict, keys };
		const revocations = await revocationListNow(kept);
		const listOf = revocations?.list.issuedAt.toISOString();
		const register = await askRegister(verdict.claims);
		const onList = revocations !== undefined && isRevoked(revocations.list, verdict.claims.serial);
		const result: CheckResult =
			onList || register === 'revoked'
				? { kind: 'revoked', claims: verdict.claims, ...(onList ? { listOf } : {}) }
				: verdict;
		return {
			result,
			keys,
			...(listOf ? { revocationsOf: listOf } : {}),
			...(register ? { register } : {})
		};
	} catch (error) {
		console.error('verify', error);
		return { result: { kind: 'unreadable' }, keys };
	}
}

/**
 * What the register said of a genuine document, online: it holds it, it holds it revoked,
 * or it does not hold it.
 */
export type RegisterAnswer = 'confirmed' | 'revoked' | 'unknown';

/**
 * Asks the server for the document by its number and the IIN printed beside it; undefined
 * offline or when the server cannot say (the offline verdict stands alone then).
 */
async function askRegister(claims: DocumentClaims): Promise<RegisterAnswer | undefined> {
	const template = templateOf(claims.serviceId);
	const iin = template && claims.answers[template.checkIin];
	if (!navigator.onLine || !iin) return undefined;
	const query = new URLSearchParams({ number: documentNumber(claims.serial), iin });
	try {
		const response = await fetch(`/api/documents/check?${query}`, { cache: 'no-store' });
		if (response.status === 404) return 'unknown';
		if (!response.ok) return undefined;
		const found = v.parse(DocumentCheck, await response.json());
		return found.status === 'revoked' ? 'revoked' : 'confirmed';
	} catch {
		return undefined;
	}
}

/** An ISO time as a date and time in Kazakhstan (UTC+5): `07.12.2026 14:05`. */
export function kazakhstanTime(iso: string): string {
	const shifted = new Date(new Date(iso).getTime() + 5 * 60 * 60 * 1000).toISOString();
	const [date, time] = [shifted.slice(0, 10), shifted.slice(11, 16)];
	const [y, m, d] = date.split('-');
	return `${d}.${m}.${y} ${time}`;
}
