/**
 * The codes of every document the benchmark corpus (documents.ts: births, entrepreneur
 * registrations, tax declarations, as kiosks receive them) would be issued, signed as the
 * server signs them: the figure issue 23 sets a limit on (the largest ≤ 500 characters).
 * Serial 9,999,999, so a number of seven digits is counted.
 */
import { documentAnswers, encodeClaims } from '../../shared/documents/claims';
import { signCode } from '../../shared/documents/code';
import { SIGNING_ALGORITHM } from '../../shared/documents/cose';
import { templateOf } from '../../shared/documents/templates';
import { validateAnswers } from '../../shared/services/validate';
import { zlibDeflate } from '../../sync-server/documents/compress';
import { application, asQueued } from './documents';

export interface CorpusCodes {
	/** Per service: how many, the largest and the median code, in characters. */
	services: { serviceId: string; count: number; largest: number; median: number }[];
	largest: number;
}

export async function corpusCodes(count = 20_000): Promise<CorpusCodes> {
	const pair = (await crypto.subtle.generateKey(SIGNING_ALGORITHM, false, [
		'sign',
		'verify'
	])) as CryptoKeyPair;
	const key = { keyId: new Uint8Array(8).fill(7), privateKey: pair.privateKey };
	const lengths = new Map<string, number[]>();
	for (let i = 0; i < count; i++) {
		const a = application(i);
		const template = templateOf(a.service.id);
		// As the server holds them: validated and normalized (the corpus's day).
		const checked = validateAnswers(a.service, asQueued(a), { today: '2026-11-26' });
		if (!template || !checked.ok) continue;
		const code = await signCode(
			encodeClaims({
				serial: 9_999_999,
				serviceId: a.service.id,
				serviceVersion: a.service.version,
				authority: template.authority,
				issuedAt: new Date(),
				answers: documentAnswers(a.service, checked.answers)
			}),
			key,
			zlibDeflate
		);
		const list = lengths.get(a.service.id) ?? [];
		list.push(code.length);
		lengths.set(a.service.id, list);
	}
	const services = [...lengths].map(([serviceId, list]) => {
		const sorted = list.sort((x, y) => x - y);
		return {
			serviceId,
			count: sorted.length,
			largest: sorted.at(-1)!,
			median: sorted[sorted.length >> 1]!
		};
	});
	return { services, largest: Math.max(...services.map((s) => s.largest)) };
}
