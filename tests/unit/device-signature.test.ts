import { describe, expect, it } from 'vitest';
import {
	deviceIdOf,
	generateDeviceKey,
	newNonce,
	REQUEST_NONCE,
	REQUEST_TIME,
	signatureHeaders,
	signRequest,
	verifyRequest
} from '../../shared/device-signature';

const body = new TextEncoder().encode('{"mutations":[]}');
const request = {
	method: 'POST',
	pathAndQuery: '/api/sync/push',
	body,
	time: '1764806400000',
	nonce: newNonce()
};

describe('device signatures', () => {
	it('verifies a request signed by the device', async () => {
		const key = await generateDeviceKey();
		const signature = await signRequest(key.privateKey, request);
		expect(await verifyRequest(key.publicKey, signature, request)).toBe(true);
	});

	it.each([
		['another body', { body: new TextEncoder().encode('{"mutations":[1]}') }],
		['another path', { pathAndQuery: '/api/sync/pull' }],
		['another method', { method: 'GET' }],
		['another time', { time: '1764806400001' }],
		['the same time written otherwise', { time: '01764806400000' }],
		['another nonce', { nonce: newNonce() }]
	])('refuses a signature moved to %s', async (_, change) => {
		const key = await generateDeviceKey();
		const signature = await signRequest(key.privateKey, request);
		expect(await verifyRequest(key.publicKey, signature, { ...request, ...change })).toBe(false);
	});

	it("refuses another device's signature and malformed ones", async () => {
		const mine = await generateDeviceKey();
		const theirs = await generateDeviceKey();
		const pull = { method: 'GET', pathAndQuery: '/api/sync/pull', time: '1', nonce: newNonce() };
		const signature = await signRequest(theirs.privateKey, pull);
		expect(await verifyRequest(mine.publicKey, signature, pull)).toBe(false);
		expect(await verifyRequest(mine.publicKey, 'not-a-signature', pull)).toBe(false);
	});

	it('makes 128-bit nonces, a new one each time, and signs the headers it sends', async () => {
		const nonces = new Set(Array.from({ length: 1000 }, newNonce));
		expect(nonces.size).toBe(1000);
		for (const nonce of nonces) expect(nonce).toMatch(REQUEST_NONCE);
		expect([...nonces][0]).toHaveLength(22);

		const key = await generateDeviceKey();
		const headers = await signatureHeaders(key.privateKey, request, 1764806400000.4);
		expect(headers['Dala-Time']).toBe('1764806400000');
		expect(headers['Dala-Time']).toMatch(REQUEST_TIME);
		const parts = { ...request, time: headers['Dala-Time']!, nonce: headers['Dala-Nonce']! };
		expect(await verifyRequest(key.publicKey, headers['Dala-Signature']!, parts)).toBe(true);
	});

	it('derives the device id from the key: stable, 43 base64url characters, distinct per key', async () => {
		const a = await generateDeviceKey();
		const b = await generateDeviceKey();
		const id = await deviceIdOf(a.publicKey);
		expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(await deviceIdOf({ ...a.publicKey })).toBe(id);
		expect(await deviceIdOf(b.publicKey)).not.toBe(id);
	});

	it('computes the RFC 7638 thumbprint over the canonical members', async () => {
		// The canonical JSON is hashed exactly; member order in the input does not matter.
		const key = {
			y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
			x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
			crv: 'P-256',
			kty: 'EC'
		} as const;
		const canonical =
			'{"crv":"P-256","kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}';
		const digest = new Uint8Array(
			await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))
		);
		const expected = Buffer.from(digest).toString('base64url');
		expect(await deviceIdOf(key)).toBe(expected);
	});
});
