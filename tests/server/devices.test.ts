import { eq } from 'drizzle-orm';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { deviceIdOf } from '../../shared/device-signature';
import { ErrorBody, Header, RegisterResponse } from '../../shared/protocol';
import { devices } from '../../sync-server/db/schema';
import { backends } from './backends';
import {
	counts,
	newDevice,
	push,
	register,
	submit,
	testApp,
	useSuite,
	unregisteredDevice,
	newPerson,
	signedIn,
	type Answer
} from './helpers';

function expectError(res: Answer, status: number, code: string) {
	expect(res.status).toBe(status);
	expect(v.parse(ErrorBody, res.json).error.code).toBe(code);
}

/** 32 random bytes as base64url: the shape of a coordinate, almost surely not on the curve. */
function randomCoordinate(): string {
	return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
}

describe.each(backends)('devices on $name', (backend) => {
	const suite = useSuite(backend);

	const deviceCount = () => suite.db.$count(devices);

	it('registers a key under its thumbprint, idempotently', async () => {
		const device = await unregisteredDevice();
		const before = await deviceCount();

		const first = await register(suite.app, { publicKey: device.publicKey });
		const second = await register(
			suite.app,
			{ publicKey: device.publicKey },
			{ [Header.device]: device.id }
		);

		expect(first.status).toBe(200);
		expect(v.parse(RegisterResponse, first.json)).toEqual({ deviceId: device.id });
		expect(device.id).toBe(await deviceIdOf(device.publicKey));
		expect(second.status).toBe(200);
		expect(second.text).toBe(first.text);
		expect(await deviceCount()).toBe(before + 1);
		const [row] = await suite.db.select().from(devices).where(eq(devices.id, device.id));
		expect(row).toMatchObject({ publicKey: device.publicKey, lastSeq: 0 });
	});

	it('stores only the public members of the key, whatever else is sent along', async () => {
		const device = await unregisteredDevice();
		const res = await register(suite.app, {
			publicKey: { ...device.publicKey, d: 'a private key sent by mistake', ext: true }
		});
		expect(res.status).toBe(200);
		const [row] = await suite.db.select().from(devices).where(eq(devices.id, device.id));
		expect(Object.keys(row?.publicKey ?? {}).sort()).toEqual(['crv', 'kty', 'x', 'y']);
	});

	it('refuses a Dala-Device header that is not the thumbprint of the key', async () => {
		const device = await unregisteredDevice();
		const other = await unregisteredDevice();
		const before = await deviceCount();
		const res = await register(
			suite.app,
			{ publicKey: device.publicKey },
			{ [Header.device]: other.id }
		);
		expectError(res, 400, 'invalid_body');
		expect(await deviceCount()).toBe(before);
	});

	it.each([
		[
			'no protocol header',
			{ publicKey: 'valid' },
			{ [Header.protocol]: '' },
			426,
			'unsupported_protocol'
		],
		['malformed JSON', '{"publicKey":', {}, 400, 'invalid_json'],
		['no key', {}, {}, 400, 'invalid_body'],
		['an RSA key', { publicKey: { kty: 'RSA', n: 'x', e: 'AQAB' } }, {}, 400, 'invalid_body'],
		[
			'coordinates that are not a point on P-256',
			{ publicKey: { kty: 'EC', crv: 'P-256', x: randomCoordinate(), y: randomCoordinate() } },
			{},
			400,
			'invalid_body'
		],
		['a body over 4 KiB', { publicKey: 'valid', pad: 'x'.repeat(5000) }, {}, 413, 'body_too_large'],
		['a brotli body', { publicKey: 'valid' }, { 'Content-Encoding': 'br' }, 415, 'invalid_body']
	])('refuses %s and registers nothing', async (_name, body, headers, status, code) => {
		const device = await unregisteredDevice();
		// 'valid' stands for a real key, made fresh for each case.
		const withKey =
			typeof body === 'object' && 'publicKey' in body && body.publicKey === 'valid'
				? { ...body, publicKey: device.publicKey }
				: body;
		const before = await deviceCount();
		expectError(await register(suite.app, withKey, headers), status, code);
		expect(await deviceCount()).toBe(before);
	});

	it('answers an unregistered device 401 unknown_device, and takes it once registered', async () => {
		const device = await unregisteredDevice();
		const before = await counts(suite.db);
		const body = { mutations: [submit()] };

		expectError(await push(suite.app, device, body), 401, 'unknown_device');
		expect(await counts(suite.db)).toEqual(before);

		// What the client does on 401 unknown_device: register (and, a new device, have the
		// person sign in), then repeat the request.
		await register(suite.app, { publicKey: device.publicKey });
		const again = await push(suite.app, await signedIn(suite.app, device, newPerson()), body);
		expect(again.status).toBe(200);
		expect(again.json.results[0].status).toBe('applied');
	});

	it('knows a device registered through another server at once (no cached "unknown")', async () => {
		const otherServer = testApp(suite.db);
		const device = await unregisteredDevice();
		expectError(await push(otherServer, device, { mutations: [submit()] }), 401, 'unknown_device');

		await register(suite.app, { publicKey: device.publicKey });
		// Signing in is the other server's first signed request from it.
		const signed = await signedIn(otherServer, device, newPerson());
		const res = await push(otherServer, signed, { mutations: [submit()] });
		expect(res.status).toBe(200);
	});

	it('does not let one device act for another, even with a valid signature of its own', async () => {
		const victim = await newDevice(suite.app);
		const intruder = await newDevice(suite.app);
		const before = await counts(suite.db);
		// The intruder signs correctly with its own key, but names the victim's device.
		const res = await push(
			suite.app,
			intruder,
			{ mutations: [submit()] },
			{ headers: (signed) => ({ ...signed, [Header.device]: victim.id }) }
		);
		expectError(res, 401, 'bad_signature');
		expect(await counts(suite.db)).toEqual(before);
	});
});
