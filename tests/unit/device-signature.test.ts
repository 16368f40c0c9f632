import { describe, expect, it } from 'vitest';
import {
	deviceIdOf,
	generateDeviceKey,
	signRequest,
	verifyRequest
} from '../../shared/device-signature';

const body = new TextEncoder().encode('{"mutations":[]}');

describe('device signatures', () => {
	it('verifies a request signed by the device', async () => {
		const key = await generateDeviceKey();
		const signature = await signRequest(key.privateKey, 'POST', '/api/sync/push', body);
		expect(await verifyRequest(key.publicKey, signature, 'POST', '/api/sync/push', body)).toBe(
			true
		);
	});

	it.each([
		['another body', 'POST', '/api/sync/push', new TextEncoder().encode('{"mutations":[1]}')],
		['another path', 'POST', '/api/sync/pull', body],
		['another method', 'GET', '/api/sync/push', body]
	])('refuses a signature moved to %s', async (_, method, path, otherBody) => {
		const key = await generateDeviceKey();
		const signature = await signRequest(key.privateKey, 'POST', '/api/sync/push', body);
		expect(await verifyRequest(key.publicKey, signature, method, path, otherBody)).toBe(false);
	});

	it("refuses another device's signature and malformed ones", async () => {
		const mine = await generateDeviceKey();
		const theirs = await generateDeviceKey();
		const signature = await signRequest(theirs.privateKey, 'GET', '/api/sync/pull');
		expect(await verifyRequest(mine.publicKey, signature, 'GET', '/api/sync/pull')).toBe(false);
		expect(await verifyRequest(mine.publicKey, 'not-a-signature', 'GET', '/api/sync/pull')).toBe(
			false
		);
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
