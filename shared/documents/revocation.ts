/**
 * The revocation list: which issued documents no longer stand. One signed object for every
 * document ever revoked, so a phone carries it whole and answers "revoked" with no network:
 *
 *   base64url(deflate(COSE_Sign1({1: number, 2: issued at (s), 3: bitstring})))
 *
 * Bit n of the bitstring (byte n >> 3, most significant bit first) is set when the document
 * of serial n is revoked. Serials are dense (one sequence), so a million documents cost
 * 125 KB before compression and, with few revoked, a few hundred bytes after it.
 *
 * The number is how many documents the list revokes. A revocation is never undone, so the
 * number only grows, and two lists of one number revoke the same documents: a device
 * refuses any list numbered below the one it holds, which is what stops whoever stands
 * between it and the server from handing back an older list in which a document still
 * stood. The time says how fresh the list is, and is shown beside every verdict.
 */
import { decode, encode } from 'cborg';
import { fromBase64url, toBase64url } from '../base64url';
import { deflate, inflate, openCose, signCose, type CoseSigner } from './cose';
import { MAX_LIST_CHARS } from './limits';
import { keyVouches, type TrustList } from './trust';
import { signerOf } from './signer';

export interface RevocationList {
	/** How many documents it revokes: never lower than a list seen before. */
	number: number;
	/** When the server signed it, to the second. */
	issuedAt: Date;
	/** Bit n set: the document of serial n is revoked. */
	bits: Uint8Array;
}

/**
 * The most bytes a list may inflate to: 2 MiB holds sixteen million serials. A list that
 * would inflate further is refused as it inflates.
 */
const MAX_LIST_BYTES = 2 * 1024 * 1024;

const Key = { number: 1, issuedAt: 2, bits: 3 } as const;

/** The bitstring with the bits of `serials` set. */
export function revocationBits(serials: readonly number[]): Uint8Array {
	// A loop, not Math.max(...serials): a spread of a million arguments overflows the stack.
	const highest = serials.reduce((a, b) => Math.max(a, b), -1);
	const bits = new Uint8Array(highest >= 0 ? (highest >> 3) + 1 : 0);
	for (const serial of serials) bits[serial >> 3]! |= 0x80 >> (serial & 7);
	return bits;
}

export function isRevoked(list: RevocationList, serial: number): boolean {
	const byte = list.bits[serial >> 3];
	return byte !== undefined && (byte & (0x80 >> (serial & 7))) !== 0;
}

/** The list signed with `key`, as its text travels and is kept; `compress` is zlib. */
export async function signRevocationList(
	list: RevocationList,
	key: CoseSigner,
	compress: (data: Uint8Array) => Promise<Uint8Array> = deflate
): Promise<string> {
	const payload = encode(
		new Map<number, unknown>([
			[Key.number, list.number],
			[Key.issuedAt, Math.floor(list.issuedAt.getTime() / 1000)],
			[Key.bits, list.bits]
		])
	);
	return toBase64url(await compress(await signCose(payload, key)));
}

export type RevocationProblem =
	/** Not a list: not base64url, not zlib, not COSE, not our fields, or too large. */
	| 'unreadable'
	/** Signed by a key this trust list does not have yet. */
	| 'unknown_key'
	/** The signature does not hold, or its key was not trusted when the list says it signed. */
	| 'not_genuine';

/** The list `text` carries, if a key of `trust` signed it while it was trusted. */
export async function readRevocationList(
	text: string,
	trust: TrustList
): Promise<RevocationList | RevocationProblem> {
	if (text.length > MAX_LIST_CHARS) return 'unreadable';
	const compressed = fromBase64url(text);
	const cose = compressed && (await inflate(compressed, MAX_LIST_BYTES));
	const signed = cose && openCose(cose);
	if (!signed) return 'unreadable';
	const key = await signerOf(signed, trust);
	if (key === 'unknown_key' || key === 'not_genuine') return key;
	// Unlike a document, a list signed by a key since compromised is not kept at any age: a
	// thief could backdate a list numbered past every real one, and a device holding it would
	// refuse every real list after. Dropping it, the device takes the next list it is given.
	if (key.compromisedAt) return 'not_genuine';
	const list = decodeList(signed.payload);
	if (!list) return 'not_genuine';
	if (!keyVouches(key, list.issuedAt).trusted) return 'not_genuine';
	return list;
}

function decodeList(payload: Uint8Array): RevocationList | undefined {
	let map: unknown;
	try {
		map = decode(payload, { useMaps: true, strict: true, rejectDuplicateMapKeys: true });
	} catch {
		return undefined;
	}
	if (!(map instanceof Map)) return undefined;
	const number: unknown = map.get(Key.number);
	const issuedAt: unknown = map.get(Key.issuedAt);
	const bits: unknown = map.get(Key.bits);
	if (
		typeof number !== 'number' ||
		!Number.isSafeInteger(number) ||
		number < 0 ||
		typeof issuedAt !== 'number' ||
		!Number.isSafeInteger(issuedAt) ||
		!(bits instanceof Uint8Array)
	) {
		return undefined;
	}
	return { number, issuedAt: new Date(issuedAt * 1000), bits };
}

/**
 * Whether a device holding `kept` may take `next` in its place: never a list of a lower
 * number, nor one of the same number signed earlier (the same documents, but it would say
 * the device's knowledge is older than it is).
 */
export function replaces(next: RevocationList, kept: RevocationList | undefined): boolean {
	if (!kept) return true;
	if (next.number !== kept.number) return next.number > kept.number;
	return next.issuedAt.getTime() >= kept.issuedAt.getTime();
}
