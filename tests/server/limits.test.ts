/**
 * Limits (sync-server/http/limits*.ts, rate-limit.ts, files/upload-quota.ts): rate limits
 * shared by every server on one database, quotas on unfinished uploads,
 * and, over a real socket, the idle and header timeouts and the connection cap.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../shared/protocol';
import { rateLimits, unfinishedUploads } from '../../sync-server/db/schema';
import { directoryStore } from '../../sync-server/files/store';
import {
	connectionLimitsFromEnv,
	DEFAULT_LIMITS,
	limitsFromEnv,
	type ConnectionLimits,
	type Limits,
	type RateRules
} from '../../sync-server/http/limits';
import { serveWithLimits } from '../../sync-server/http/limits-connections';
import { backends } from './backends';
import {
	answer,
	counts,
	newDevice,
	push,
	register,
	submit,
	syncHeaders,
	testApp,
	unregisteredDevice,
	useSuite,
	type Answer,
	type App,
	signedTusRequest,
	type Device
} from './helpers';

/** The default limits with these rate rules in place of the defaults. */
function withRates(rates: RateRules, other: Partial<Limits> = {}): Limits {
	return { ...DEFAULT_LIMITS, ...other, rates };
}

function expectRefusal(res: Answer, status: number, code: string, maxWait: number) {
	expect(res.status, res.text).toBe(status);
	expect(res.json.error.code).toBe(code);
	const wait = res.headers.get('Retry-After');
	expect(wait).toMatch(/^\d+$/);
	expect(Number(wait)).toBeGreaterThanOrEqual(1);
	expect(Number(wait)).toBeLessThanOrEqual(maxWait);
}

/** A register request as if from `address` over a socket (what @hono/node-server passes). */
function registerFrom(app: App, device: Device, address: string, headers = {}) {
	return answer(
		app.request(
			'/api/sync/register',
			{
				method: 'POST',
				headers: { 'Content-Type': 'application/json', ...syncHeaders(device.id), ...headers },
				body: JSON.stringify({ publicKey: device.publicKey })
			},
			{ incoming: { socket: { remoteAddress: address } } }
		)
	);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A tus request signed as app/lib/files/upload.ts signs it. */
async function tus(
	app: App,
	device: Device,
	method: string,
	path: string,
	headers: Record<string, string>,
	body?: Uint8Array
) {
	return answer(app.request(path, await signedTusRequest(device, method, path, headers, body)));
}

/** A JPEG-looking file of `size` bytes, different for each `seed`. */
function jpeg(size: number, seed: number): Uint8Array {
	const bytes = new Uint8Array(size).map((_, i) => (i * 31 + seed * 7) & 0xff);
	bytes.set([0xff, 0xd8, 0xff, 0xe0]);
	return bytes;
}

function startUpload(app: App, device: Device, file: Uint8Array) {
	const metadata = `sha256 ${Buffer.from(sha256(file)).toString('base64')},type ${Buffer.from('image/jpeg').toString('base64')}`;
	return tus(app, device, 'POST', '/api/files', {
		'Upload-Length': String(file.length),
		'Upload-Metadata': metadata
	});
}

describe.each(backends)('rate limits on $name', (backend) => {
	const suite = useSuite(backend, {
		limits: withRates({
			push: { name: 'push', limit: 3, windowSeconds: 60 },
			register: { name: 'register', limit: 2, windowSeconds: 600 }
		})
	});

	it('answers the push over the limit 429 rate_limited with Retry-After, writing nothing', async () => {
		const device = await newDevice(suite.app);
		for (let seq = 1; seq <= 3; seq++) {
			const res = await push(suite.app, device, { mutations: [submit({ seq })] });
			expect(res.status, res.text).toBe(200);
		}
		const before = await counts(suite.db);
		const refused = await push(suite.app, device, { mutations: [submit({ seq: 4 })] });
		expectRefusal(refused, 429, 'rate_limited', 60);
		expect(await counts(suite.db)).toEqual(before);

		// Per device: another device is not held back by this one.
		const other = await newDevice(suite.app);
		expect((await push(suite.app, other, { mutations: [submit()] })).status).toBe(200);
	});

	it('starts counting again when the window ends', async () => {
		const device = await newDevice(suite.app);
		for (let seq = 1; seq <= 3; seq++)
			await push(suite.app, device, { mutations: [submit({ seq })] });
		expect((await push(suite.app, device, { mutations: [submit({ seq: 4 })] })).status).toBe(429);
		// The window's end, moved into the past (the database's clock decides, not ours).
		await suite.db.update(rateLimits).set({ resetsAt: sql`now() - interval '1 second'` });
		expect((await push(suite.app, device, { mutations: [submit({ seq: 5 })] })).status).toBe(200);
	});

	it('counts a device only once it proved itself: forged requests cannot use up its pushes', async () => {
		const device = await newDevice(suite.app);
		const stranger = await unregisteredDevice();
		for (let i = 0; i < 5; i++) {
			const forged = await push(
				suite.app,
				device,
				{ mutations: [submit()] },
				{
					signKey: stranger.privateKey
				}
			);
			expect(forged.status).toBe(401);
		}
		for (let seq = 1; seq <= 3; seq++) {
			expect((await push(suite.app, device, { mutations: [submit({ seq })] })).status).toBe(200);
		}
	});

	it('is shared by every server on the database', async () => {
		const a = suite.app;
		const b = testApp(suite.db, {
			limits: withRates({ push: { name: 'push', limit: 3, windowSeconds: 60 } })
		});
		const device = await newDevice(a);
		expect((await push(a, device, { mutations: [submit({ seq: 1 })] })).status).toBe(200);
		expect((await push(b, device, { mutations: [submit({ seq: 2 })] })).status).toBe(200);
		expect((await push(a, device, { mutations: [submit({ seq: 3 })] })).status).toBe(200);
		expect((await push(b, device, { mutations: [submit({ seq: 4 })] })).status).toBe(429);
	});

	it('counts exactly under concurrent requests', async () => {
		const device = await newDevice(suite.app);
		const answers = await Promise.all(
			Array.from({ length: 8 }, (_, i) =>
				push(suite.app, device, { mutations: [submit({ seq: i + 1 })] })
			)
		);
		// Order is not promised; the count is. (A push that lost the device lock race may
		// answer out_of_order, which is not a rate refusal.)
		expect(answers.filter((res) => res.status === 429)).toHaveLength(5);
	});

	it('limits registrations per client address, and only those', async () => {
		const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => unregisteredDevice()));
		expect((await registerFrom(suite.app, a!, '203.0.113.7')).status).toBe(200);
		expect((await registerFrom(suite.app, b!, '203.0.113.7')).status).toBe(200);
		const refused = await registerFrom(suite.app, c!, '203.0.113.7');
		expectRefusal(refused, 429, 'rate_limited', 600);
		expect((await registerFrom(suite.app, c!, '198.51.100.1')).status).toBe(200);
		// With no socket (in-process) there is no address to count.
		expect((await register(suite.app, { publicKey: d!.publicKey })).status).toBe(200);
	});

	it('believes X-Forwarded-For only as far as TRUST_PROXY reaches', async () => {
		const behindProxy = testApp(suite.db, {
			limits: withRates(
				{ register: { name: 'register_proxied', limit: 1, windowSeconds: 600 } },
				{ trustedProxies: 1 }
			)
		});
		const devices = await Promise.all([1, 2, 3].map(() => unregisteredDevice()));
		const proxy = '10.0.0.2';
		// The proxy appends the address it saw; what the client wrote before it is not believed.
		const first = await registerFrom(behindProxy, devices[0]!, proxy, {
			'X-Forwarded-For': '192.0.2.1, 203.0.113.50'
		});
		expect(first.status).toBe(200);
		const forged = await registerFrom(behindProxy, devices[1]!, proxy, {
			'X-Forwarded-For': '192.0.2.99, 203.0.113.50'
		});
		expect(forged.status).toBe(429);
		const another = await registerFrom(behindProxy, devices[2]!, proxy, {
			'X-Forwarded-For': '203.0.113.51'
		});
		expect(another.status).toBe(200);
	});

	it('keeps no address or device id in the table, only hashes', async () => {
		const device = await newDevice(suite.app);
		await push(suite.app, device, { mutations: [submit()] });
		await registerFrom(suite.app, await unregisteredDevice(), '192.0.2.200');
		const stored = JSON.stringify(await suite.db.select().from(rateLimits));
		expect(stored).not.toContain(device.id);
		expect(stored).not.toContain('192.0.2.200');
	});
});

describe.each(backends)('quotas on $name', (backend) => {
	const dir = join(tmpdir(), `dala-limits-${randomUUID()}`);
	const suite = useSuite(backend, {
		uploads: directoryStore(dir),
		limits: { ...DEFAULT_LIMITS, unfinishedUploads: { count: 2, bytes: 5000 } }
	});
	afterAll(() => rm(dir, { recursive: true, force: true }));

	it('refuses a third unfinished upload with too_many_uploads, and frees a place when one finishes', async () => {
		const device = await newDevice(suite.app);
		const files = [1, 2, 3].map((seed) => jpeg(1000, seed));
		const first = await startUpload(suite.app, device, files[0]!);
		expect(first.status, first.text).toBe(201);
		expect((await startUpload(suite.app, device, files[1]!)).status).toBe(201);
		const refused = await startUpload(suite.app, device, files[2]!);
		expectRefusal(refused, 429, 'too_many_uploads', 3600);
		expect(await suite.db.$count(unfinishedUploads, sql`device_id = ${device.id}`)).toBe(2);

		const location = first.headers.get('Location')!;
		const done = await tus(
			suite.app,
			device,
			'PATCH',
			location,
			{ 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
			files[0]
		);
		expect(done.status, done.text).toBe(204);
		expect((await startUpload(suite.app, device, files[2]!)).status).toBe(201);
	});

	it('counts the bytes of unfinished uploads too', async () => {
		const device = await newDevice(suite.app);
		expect((await startUpload(suite.app, device, jpeg(3000, 4))).status).toBe(201);
		const refused = await startUpload(suite.app, device, jpeg(3000, 5));
		expectRefusal(refused, 429, 'too_many_uploads', 3600);
		expect((await startUpload(suite.app, device, jpeg(2000, 6))).status).toBe(201);
	});

	it('never lets concurrent uploads pass the quota', async () => {
		const device = await newDevice(suite.app);
		const answers = await Promise.all(
			[10, 11, 12, 13, 14, 15].map((seed) => startUpload(suite.app, device, jpeg(100, seed)))
		);
		expect(answers.filter((res) => res.status === 201)).toHaveLength(2);
		expect(await suite.db.$count(unfinishedUploads, sql`device_id = ${device.id}`)).toBe(2);
	});

	it('answers a push body over the limit 413 body_too_large', async () => {
		const device = await newDevice(suite.app);
		const huge = { mutations: [submit({ answers: { fullName: 'x'.repeat(MAX_BODY_BYTES) } })] };
		const res = await push(suite.app, device, huge);
		expect(res.status).toBe(413);
		expect(res.json.error.code).toBe('body_too_large');
	});
});

describe('limits from the environment', () => {
	it('takes the defaults, changes named rules, and turns them off', () => {
		expect(limitsFromEnv({})).toEqual(DEFAULT_LIMITS);
		expect(limitsFromEnv({ RATE_LIMITS: 'off' }).rates).toEqual({});
		const changed = limitsFromEnv({ RATE_LIMITS: 'push=120/60, register=off' }).rates;
		expect(changed.push).toEqual({ name: 'push', limit: 120, windowSeconds: 60 });
		expect(changed.register).toBeUndefined();
		expect(changed.uploadCreate).toEqual(DEFAULT_LIMITS.rates.uploadCreate);
		expect(connectionLimitsFromEnv({ IDLE_TIMEOUT_S: '45', MAX_CONNECTIONS: '10' })).toEqual({
			maxConnections: 10,
			headersTimeoutMs: 20_000,
			idleTimeoutMs: 45_000
		});
	});

	it.each([
		{ RATE_LIMITS: 'pushes=1/1' },
		{ RATE_LIMITS: 'push=0/60' },
		{ RATE_LIMITS: 'push=10' },
		{ RATE_LIMITS: 'push=ten/60' },
		{ IDLE_TIMEOUT_S: '0' },
		{ MAX_CONNECTIONS: '-1' }
	])('stops start-up on a typo: %o', (env) => {
		expect(() => {
			limitsFromEnv(env);
			connectionLimitsFromEnv(env);
		}).toThrow();
	});
});

describe('the socket', () => {
	const limits: ConnectionLimits = {
		maxConnections: 3,
		headersTimeoutMs: 1000,
		idleTimeoutMs: 600
	};
	let server: Server | undefined;
	let port = 0;
	const sockets: Socket[] = [];

	async function start(overrides: Partial<ConnectionLimits> = {}) {
		await new Promise<void>((resolve) => {
			server = serveWithLimits(
				{
					// Answers with the number of body bytes it received.
					fetch: async (request) => new Response(String((await request.arrayBuffer()).byteLength)),
					port: 0,
					hostname: '127.0.0.1',
					limits: { ...limits, ...overrides }
				},
				(info) => {
					port = info.port;
					resolve();
				}
			);
		});
	}

	afterEach(async () => {
		for (const socket of sockets.splice(0)) socket.destroy();
		await new Promise((resolve) => server?.close(resolve));
		server = undefined;
	});

	/** A raw connection: what it received, and when the server closed it. */
	async function open() {
		const socket = connect(port, '127.0.0.1');
		sockets.push(socket);
		let received = '';
		socket.on('data', (chunk) => (received += chunk.toString()));
		const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
		socket.on('error', () => {});
		await new Promise((resolve) => socket.once('connect', resolve));
		return { socket, closed, received: () => received };
	}

	const head = (length: number) =>
		`POST /api/sync/push HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`;
	const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

	it('drops a client that sends half a body and goes silent, soon after the idle timeout', async () => {
		await start();
		const { socket, closed, received } = await open();
		socket.write(head(1000) + 'x'.repeat(500));
		const silentFrom = Date.now();
		const at = await closed;
		expect(at - silentFrom).toBeGreaterThanOrEqual(limits.idleTimeoutMs - 50);
		expect(at - silentFrom).toBeLessThan(limits.idleTimeoutMs + 1000);
		expect(received()).toBe('');
	});

	it('lets a slow client that keeps sending take far longer than any timeout', async () => {
		await start();
		const { socket, received, closed } = await open();
		socket.write(head(2000));
		const began = Date.now();
		for (let i = 0; i < 20; i++) {
			await sleep(120);
			socket.write('x'.repeat(100));
		}
		// 2.4 s in all: past the idle timeout four times over, and past the headers timeout.
		expect(Date.now() - began).toBeGreaterThan(2 * limits.headersTimeoutMs);
		await sleep(100);
		expect(received()).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\n2000$/);
		socket.end();
		await closed;
	});

	it('drops a client whose headers trickle in past the headers timeout', async () => {
		await start({ idleTimeoutMs: 10_000 });
		const { socket, closed } = await open();
		const began = Date.now();
		socket.write('POST /api/sync/push HTTP/1.1\r\nHost: x\r\n');
		let done = false;
		void closed.then(() => (done = true));
		// A header byte every 100 ms: never idle, never finished.
		for (let i = 0; i < 40 && !done; i++) {
			socket.write('X-Slow: a\r\n');
			await sleep(100);
		}
		const at = await closed;
		expect(at - began).toBeGreaterThanOrEqual(limits.headersTimeoutMs - 50);
		expect(at - began).toBeLessThan(limits.headersTimeoutMs + 1500);
	});

	it('closes connections past the cap at once, and takes new ones when one ends', async () => {
		await start({ idleTimeoutMs: 10_000 });
		const held = await Promise.all([open(), open(), open()]);
		for (const c of held) c.socket.write('POST / HTTP/1.1\r\n');
		const extra = await open();
		const at = await extra.closed;
		expect(extra.received()).toBe('');
		expect(at).toBeLessThan(Date.now() + 1);

		held[0]!.socket.destroy();
		await held[0]!.closed;
		await sleep(50);
		const next = await open();
		next.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
		await next.closed;
		expect(next.received()).toMatch(/^HTTP\/1\.1 200/);
	});
});
