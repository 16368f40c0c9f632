import { deflateSync } from 'node:zlib';
import { encode as base45 } from 'base45-ts';
import { decode, encode as cborEncode } from 'cborg';
import { beforeAll, describe, expect, it } from 'vitest';
import { Authority } from '../../shared/documents/authorities';
import { decodeClaims, documentAnswers, encodeClaims } from '../../shared/documents/claims';
import { CODE_PREFIX, readCode, signCode } from '../../shared/documents/code';
import { base45 as strictBase45 } from '../../shared/documents/base45';
import type { TrustList } from '../../shared/documents/trust';
import { verifyCode, type Verdict } from '../../shared/documents/verify';
import { findService } from '../../shared/services/catalog';
import { serviceInputs, validateAnswers } from '../../shared/services/validate';
import { encode as qrEncode } from 'uqr';
import { signer, type Signer } from '../support/document-signers';
import { GOOD_BIRTH, GOOD_IE_V2, GOOD_PERMIT, GOOD_TAX } from '../support/service-answers';

const SAMPLES = {
	'individual-entrepreneur': { version: 2, answers: GOOD_IE_V2 },
	'simplified-tax-declaration': { version: 1, answers: GOOD_TAX },
	'trade-outlet-permit': { version: 1, answers: GOOD_PERMIT },
	'birth-registration': { version: 1, answers: GOOD_BIRTH }
} as const;

function claimsOf(serviceId: keyof typeof SAMPLES, issuedAt = new Date('2026-12-07T10:00:00Z')) {
	const { version, answers } = SAMPLES[serviceId];
	const service = findService(serviceId, version)!;
	const checked = validateAnswers(service, answers, { today: '2026-12-07' });
	if (!checked.ok) throw new Error(JSON.stringify(checked.fieldErrors));
	return {
		serial: 1_234_567,
		serviceId,
		serviceVersion: version,
		authority: Authority.stateRevenue,
		issuedAt,
		answers: documentAnswers(service, checked.answers)
	};
}

async function code(s: Signer, claims = claimsOf('individual-entrepreneur')): Promise<string> {
	return signCode(encodeClaims(claims), s);
}

const TODAY = '2026-12-07';

describe('document codes', () => {
	let key: Signer;
	let trust: TrustList;
	beforeAll(async () => {
		key = await signer(1);
		trust = { keys: [key.trusted] };
	});

	it.each(Object.keys(SAMPLES) as (keyof typeof SAMPLES)[])(
		'%s: signs and reads back every carried answer, no phone, no photo',
		async (serviceId) => {
			const claims = claimsOf(serviceId);
			const text = await code(key, claims);
			expect(text.startsWith(CODE_PREFIX)).toBe(true);
			expect(text).toMatch(/^DL1:[0-9A-Z $%*+\-./:]+$/);
			const verdict = await verifyCode(text, trust, TODAY);
			expect(verdict).toEqual({ kind: 'genuine', claims });
			expect(Object.keys(claims.answers)).not.toContain('phone');
			expect(Object.values(claims.answers)).not.toContain('a'.repeat(64));
		}
	);

	it.each(Object.keys(SAMPLES) as (keyof typeof SAMPLES)[])(
		'%s: the longest answers its form allows still make a QR code a phone reads from paper',
		async (serviceId) => {
			const { version, answers } = SAMPLES[serviceId];
			const service = findService(serviceId, version)!;
			// Letters in an order zlib cannot shorten, as different real names would be.
			const letters = 'абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі';
			let n = 7;
			const text = (length: number) =>
				Array.from({ length }, () => letters[(n = (n * 31 + 17) % 9973) % letters.length]).join('');
			const longest: Record<string, string> = { ...answers };
			for (const field of serviceInputs(service)) {
				if (field.kind === 'text') longest[field.name] = text(field.maxLength);
			}
			const claims = { ...claimsOf(serviceId), answers: documentAnswers(service, longest) };
			const signed = await code(key, claims);
			expect((await verifyCode(signed, trust, TODAY)).kind).toBe('genuine');
			// Version 25 is 117 modules and the quiet zone: 57 mm at the page's 0.45 mm a module.
			const qr = qrEncode(signed, { ecc: 'Q', border: 4 });
			expect((qr.size - 8 - 17) / 4).toBeLessThanOrEqual(25);
		}
	);

	it('one changed character is never genuine, wherever it is', async () => {
		const text = await code(key);
		const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
		for (let i = CODE_PREFIX.length; i < text.length; i++) {
			const other = alphabet[(alphabet.indexOf(text[i]!) + 1) % alphabet.length]!;
			const changed = text.slice(0, i) + other + text.slice(i + 1);
			const verdict = await verifyCode(changed, trust, TODAY);
			expect(verdict.kind).toBe('not_genuine');
		}
	});

	it('a forgery under our key id, signed by another key, is not genuine', async () => {
		const thief = await signer(1);
		expect((await verifyCode(await code(thief), trust, TODAY)).kind).toBe('not_genuine');
	});

	it('a key not on the list is unknown, not "not genuine"', async () => {
		const stranger = await signer(2);
		expect((await verifyCode(await code(stranger), trust, TODAY)).kind).toBe('unknown_key');
	});

	it('a retired key still vouches for what it signed before retiring, not after', async () => {
		const retired = await signer(3, { retiredAt: '2026-06-01T00:00:00.000Z' });
		const list = { keys: [retired.trusted] };
		const before = await code(
			retired,
			claimsOf('individual-entrepreneur', new Date('2026-05-31T23:59:59Z'))
		);
		const after = await code(
			retired,
			claimsOf('individual-entrepreneur', new Date('2026-06-01T00:00:01Z'))
		);
		expect((await verifyCode(before, list, TODAY)).kind).toBe('genuine');
		expect((await verifyCode(after, list, TODAY)).kind).toBe('not_genuine');
	});

	it('a compromised key vouches for nothing signed from its compromise', async () => {
		const lost = await signer(4, {
			retiredAt: '2026-06-01T00:00:00.000Z',
			compromisedAt: '2026-05-01T00:00:00.000Z'
		});
		const list = { keys: [lost.trusted] };
		const before = await code(
			lost,
			claimsOf('individual-entrepreneur', new Date('2026-04-30T12:00:00Z'))
		);
		const at = await code(
			lost,
			claimsOf('individual-entrepreneur', new Date('2026-05-01T00:00:00Z'))
		);
		const later = await code(
			lost,
			claimsOf('individual-entrepreneur', new Date('2026-05-20T00:00:00Z'))
		);
		expect((await verifyCode(before, list, TODAY)).kind).toBe('genuine');
		expect((await verifyCode(at, list, TODAY)).kind).toBe('not_genuine');
		expect((await verifyCode(later, list, TODAY)).kind).toBe('not_genuine');
	});

	it('a permit is expired the day after its last day', async () => {
		const text = await code(key, claimsOf('trade-outlet-permit'));
		expect((await verifyCode(text, trust, '2027-10-31')).kind).toBe('genuine');
		expect(await verifyCode(text, trust, '2027-11-01')).toMatchObject({
			kind: 'expired',
			validUntil: '2027-10-31'
		});
	});

	it.each<[string, () => Promise<string> | string, Verdict['kind']]>([
		['a web address', () => 'https://egov.kz/check?id=1', 'not_dala'],
		[
			'an EU COVID certificate',
			() => 'HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N',
			'not_dala'
		],
		['empty text', () => '', 'not_dala'],
		['the prefix alone', () => CODE_PREFIX, 'unreadable'],
		[
			'lower case (outside base45)',
			async () => (await code(key)).toLowerCase().replace('dl1:', 'DL1:'),
			'unreadable'
		],
		['a code cut short', async () => (await code(key)).slice(0, 120), 'not_genuine'],
		['an oversized code', () => CODE_PREFIX + '0'.repeat(5000), 'unreadable'],
		['base45 groups above 65535', () => CODE_PREFIX + ':::'.repeat(40), 'not_genuine'],
		[
			'a deflate bomb',
			() => CODE_PREFIX + base45(deflateSync(new Uint8Array(1_000_000))),
			'not_genuine'
		],
		[
			'zlib of no COSE',
			() => CODE_PREFIX + base45(deflateSync(Buffer.from('hello'))),
			'not_genuine'
		]
	])('%s is answered %s, never genuine and never a crash', async (_, make, kind) => {
		expect((await verifyCode(await make(), trust, TODAY)).kind).toBe(kind);
	});

	it('a code cut by its last character is never genuine', async () => {
		const verdict = await verifyCode((await code(key)).slice(0, -1), trust, TODAY);
		// Which depends on the length: a length base45 never has, or bytes that do not unpack.
		expect(['unreadable', 'not_genuine']).toContain(verdict.kind);
	});

	it('base45 is strict: one spelling per code', () => {
		expect(strictBase45.decode('QED8WEX0')).toEqual(new TextEncoder().encode('ietf!'));
		expect(strictBase45.decode('GGW')).toBe('changed'); // 65536: not two bytes
		expect(strictBase45.decode('ab')).toBe('invalid');
		expect(strictBase45.decode('A')).toBe('invalid');
	});

	it('carries Kazakh and Russian text in KZ-1048, a byte a letter; any other as UTF-8', () => {
		const service = findService('individual-entrepreneur', 2)!;
		const index = serviceInputs(service).findIndex((f) => f.name === 'fullName');
		const packed = (fullName: string) => {
			const claims = claimsOf('individual-entrepreneur');
			const bytes = encodeClaims({ ...claims, answers: { ...claims.answers, fullName } });
			const map = decode(bytes, { useMaps: true }) as Map<number, Map<number, unknown>>;
			expect(decodeClaims(bytes)).toMatchObject({ answers: { fullName } });
			return map.get(6)!.get(index);
		};
		// Every letter of both alphabets, either case, and the page's own punctuation.
		const cyrillic = 'Ёё ӘәҒғҚқҢңӨөҰұҮүҺһІі «Сейтқали» — Айгүл № 5';
		expect(packed(cyrillic)).toBeInstanceOf(Uint8Array);
		expect((packed(cyrillic) as Uint8Array).length).toBe(cyrillic.length);
		// ASCII as it is; a letter the page lacks keeps the whole answer UTF-8.
		expect(packed('John Smith')).toBe('John Smith');
		expect(packed('Zoé Müller-Сейтқали')).toBe('Zoé Müller-Сейтқали');
	});

	it('refuses KZ-1048 text with a byte the page leaves unassigned', () => {
		const service = findService('individual-entrepreneur', 2)!;
		const index = serviceInputs(service).findIndex((f) => f.name === 'fullName');
		const map = decode(encodeClaims(claimsOf('individual-entrepreneur')), {
			useMaps: true
		}) as Map<number, Map<number, unknown>>;
		map.get(6)!.set(index, new Uint8Array([0xc0, 0x98, 0xc1]));
		expect(decodeClaims(cborEncode(map))).toBe('malformed');
		map.get(6)!.set(index, new Uint8Array([0xc0, 0xc1]));
		expect(decodeClaims(cborEncode(map))).toMatchObject({ answers: { fullName: 'АБ' } });
	});

	it('claims refuse what is not ours', () => {
		expect(decodeClaims(new Uint8Array([0xa0]))).toBe('malformed');
		expect(decodeClaims(new Uint8Array([0xff]))).toBe('malformed');
	});

	it('reads the parts back without checking the signature', async () => {
		const parsed = await readCode(await code(key));
		expect(typeof parsed).not.toBe('string');
		if (typeof parsed === 'string') return;
		expect(parsed.keyId).toEqual(key.keyId);
		expect(parsed.signature).toHaveLength(64);
	});
});
