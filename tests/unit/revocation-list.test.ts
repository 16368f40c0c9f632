/**
 * The revocation list's form (shared/documents/revocation.ts): what it revokes, who may have
 * signed it, and that a device never takes an older list for a newer one.
 */
import { deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { encode } from 'cborg';
import { signCose } from '../../shared/documents/cose';
import {
	isRevoked,
	readRevocationList,
	replaces,
	revocationBits,
	signRevocationList,
	type RevocationList
} from '../../shared/documents/revocation';
import { MAX_LIST_CHARS } from '../../shared/documents/limits';
import type { TrustList } from '../../shared/documents/trust';
import { signer, type Signer } from '../support/document-signers';

const AT = new Date('2026-12-07T10:00:00Z');

function list(serials: number[], issuedAt = AT, number = serials.length): RevocationList {
	return { number, issuedAt, bits: revocationBits(serials) };
}

describe('revocation lists', () => {
	let key: Signer;
	let trust: TrustList;
	beforeAll(async () => {
		key = await signer(7);
		trust = { keys: [key.trusted] };
	});

	it('revokes exactly the serials it names, from the first to the millionth', async () => {
		const serials = [0, 1, 7, 8, 42, 1_000_000];
		const text = await signRevocationList(list(serials), key);
		const read = await readRevocationList(text, trust);
		if (typeof read === 'string') throw new Error(read);
		expect(read).toMatchObject({ number: 6, issuedAt: AT });
		for (let serial = 0; serial < 64; serial++) {
			expect(isRevoked(read, serial)).toBe(serials.includes(serial));
		}
		expect(isRevoked(read, 1_000_000)).toBe(true);
		expect(isRevoked(read, 999_999)).toBe(false);
		// Beyond the last byte: never revoked, never an error.
		expect(isRevoked(read, 5_000_000)).toBe(false);
		// A million serials with a few revoked travel in a few hundred characters.
		expect(text.length).toBeLessThan(600);
	});

	it('an empty list reads as revoking nothing', async () => {
		const read = await readRevocationList(await signRevocationList(list([]), key), trust);
		if (typeof read === 'string') throw new Error(read);
		expect(read.number).toBe(0);
		expect(isRevoked(read, 1)).toBe(false);
	});

	it('is refused when changed, signed by a key not trusted then, or no list at all', async () => {
		const text = await signRevocationList(list([3]), key);
		// Any one character changed anywhere.
		for (let i = 0; i < text.length; i += 7) {
			const changed = text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
			expect(await readRevocationList(changed, trust)).not.toHaveProperty('number');
		}
		// A key this device has not heard of.
		const stranger = await signer(8);
		expect(await readRevocationList(await signRevocationList(list([3]), stranger), trust)).toBe(
			'unknown_key'
		);
		// Our key id, another private key: a forgery.
		const forger = { ...(await signer(7)), keyId: key.keyId };
		expect(await readRevocationList(await signRevocationList(list([]), forger), trust)).toBe(
			'not_genuine'
		);
		// A compromised key vouches for no list at all, even one dated before the compromise:
		// a thief could backdate an empty list numbered past every real one.
		const compromised = {
			keys: [
				{
					...key.trusted,
					retiredAt: '2026-12-31T00:00:00Z',
					compromisedAt: '2026-12-31T00:00:00Z'
				}
			]
		};
		expect(await readRevocationList(text, compromised)).toBe('not_genuine');
		// A retired key signs no lists after it retired.
		const retired = { keys: [{ ...key.trusted, retiredAt: '2026-12-01T00:00:00Z' }] };
		expect(await readRevocationList(text, retired)).toBe('not_genuine');
		// Signed, but not a list's fields.
		const notAList = Buffer.from(
			deflateSync(await signCose(encode(new Map([[1, 'many']])), key))
		).toString('base64url');
		expect(await readRevocationList(notAList, trust)).toBe('not_genuine');
		// Not base64url, not zlib, empty, a document's code, far too long.
		for (const junk of ['***', 'AAAA', '', 'DL1:6BFOXN', 'A'.repeat(MAX_LIST_CHARS + 1)]) {
			expect(await readRevocationList(junk, trust)).toBe('unreadable');
		}
	});

	it('refuses a list that inflates past its limit (a deflate bomb)', async () => {
		const bomb = Buffer.from(deflateSync(new Uint8Array(3 * 1024 * 1024))).toString('base64url');
		expect(await readRevocationList(bomb, trust)).toBe('unreadable');
	});

	it('never lets an older list replace a newer one', () => {
		const kept = list([1, 2], AT);
		const later = new Date(AT.getTime() + 60_000);
		const earlier = new Date(AT.getTime() - 60_000);
		expect(replaces(kept, undefined)).toBe(true);
		// More revoked: newer, whatever the clock says.
		expect(replaces(list([1, 2, 3], earlier), kept)).toBe(true);
		// Fewer revoked: rolled back, even if signed later.
		expect(replaces(list([1], later), kept)).toBe(false);
		// The same documents, signed again: fresher, or older.
		expect(replaces(list([1, 2], later), kept)).toBe(true);
		expect(replaces(list([1, 2], earlier), kept)).toBe(false);
	});
});
