/**
 * One check of a document's code on this device: the trust list it is checked with, then
 * the verdict. Separate from the page so every way a code arrives (typed, photo, camera)
 * ends here, and so the revocation list, when it comes, has one place to join.
 */
import { verifyCode, type Verdict } from '../../../../shared/documents/verify';
import { todayInKazakhstan } from '../../../../shared/dates';
import { keptTrustList, refreshTrustList, type KeptTrustList } from '$lib/documents/trust-list';

/** What the page shows: a verdict, or that the device has no trust list to check with. */
export type CheckResult = Verdict | { kind: 'no_trust_list' };

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

/**
 * The verdict on `text`. Never throws: whatever a camera or a person hands it gets an
 * answer, and nothing but a signature that holds under the trust list is genuine.
 */
export async function checkCode(text: string): Promise<{ result: CheckResult; keys?: KeysUsed }> {
	const { kept, fresh } = await trustListNow();
	if (!kept) return { result: { kind: 'no_trust_list' } };
	const keys = { fetchedAt: kept.fetchedAt, fresh };
	try {
		const verdict = await verifyCode(text.trim(), kept.list, todayInKazakhstan());
		// Revocation (a later slice) joins here: a genuine or expired verdict whose serial is
		// on the kept revocation list becomes `revoked` before the page sees it.
		return { result: verdict, keys };
	} catch (error) {
		console.error('verify', error);
		return { result: { kind: 'unreadable' }, keys };
	}
}

/** An ISO time as a date and time in Kazakhstan (UTC+5): `07.12.2026 14:05`. */
export function kazakhstanTime(iso: string): string {
	const shifted = new Date(new Date(iso).getTime() + 5 * 60 * 60 * 1000).toISOString();
	const [date, time] = [shifted.slice(0, 10), shifted.slice(11, 16)];
	const [y, m, d] = date.split('-');
	return `${d}.${m}.${y} ${time}`;
}
