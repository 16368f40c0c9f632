import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../shared/protocol';
import { createLogger } from '../../sync-server/http/log';
import { backends, type TestDatabase } from './backends';
import {
	get,
	newDevice,
	push,
	signedRequest,
	submit,
	testApp,
	useSuite,
	type App
} from './helpers';

describe.each(backends)('app on $name', (backend) => {
	const suite = useSuite(backend);

	it('reports health with the protocol versions it speaks', async () => {
		const res = await get(suite.app, '/api/health');
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			status: 'ok',
			database: 'ok',
			protocol: { version: PROTOCOL_VERSION, min: MIN_PROTOCOL_VERSION },
			accounts: { signInCodes: 'development', phoneRegister: 'development' }
		});
	});

	it.each([
		['GET', '/api/nope'],
		['GET', '/api'],
		['POST', '/api/sync/nope'],
		['GET', '/api/sync/push'],
		['GET', '/not-api-and-no-static']
	])('answers %s %s with a JSON 404', async (method, path) => {
		const res = await suite.app.request(path, { method });
		expect(res.status).toBe(404);
		expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
		expect(v.parse(ErrorBody, await res.json()).error.code).toBe('not_found');
	});

	it('compresses API JSON for clients that accept it', async () => {
		const device = await newDevice(suite.app);
		const batch = Array.from({ length: 10 }, (_, i) => submit({ seq: i + 1 }));
		const res = await suite.app.request(
			'/api/sync/push',
			await signedRequest(
				device,
				'POST',
				'/api/sync/push',
				{ mutations: batch },
				{
					headers: (signed) => ({ ...signed, 'Accept-Encoding': 'gzip' })
				}
			)
		);
		expect(res.status).toBe(200);
		expect(res.headers.get('Content-Encoding')).toBe('gzip');
		const json = JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString());
		expect(json.results).toHaveLength(10);
	});
});

describe.each(backends)('failures on $name', (backend) => {
	it('answers 503 from health, and a bare 500 from sync, when the database is gone', async () => {
		const t = await backend.open();
		const lines: string[] = [];
		const app = testApp(t.db, {
			log: createLogger({ level: 'error', write: (line) => lines.push(line) })
		});
		const device = await newDevice(app);
		await t.close();

		const health = await get(app, '/api/health');
		expect(health.status).toBe(503);
		expect(health.json).toMatchObject({ database: 'down' });

		const res = await push(app, device, { mutations: [submit()] });
		expect(res.status).toBe(500);
		// Nothing about the cause reaches the client; all of it reaches the log.
		expect(res.json).toEqual({ error: { code: 'internal', message: 'Internal error' } });
		expect(lines).toHaveLength(1);
		expect(JSON.parse(lines[0]!)).toMatchObject({
			level: 'error',
			msg: 'unhandled error',
			path: '/api/sync/push',
			// The statement that failed and why; never its parameters (log-privacy.test.ts).
			error: {
				statement: expect.any(String),
				cause: { message: expect.any(String), stack: expect.any(String) }
			}
		});
	});
});

describe('static files', () => {
	let root: string;
	let app: App;
	let t: TestDatabase;
	const html = '<!doctype html><title>Dala</title>';
	beforeAll(async () => {
		root = mkdtempSync(join(tmpdir(), 'dala-static-'));
		mkdirSync(join(root, '_app/immutable/entry'), { recursive: true });
		writeFileSync(join(root, 'index.html'), html);
		writeFileSync(join(root, 'index.html.br'), brotliCompressSync(html));
		writeFileSync(join(root, 'index.html.gz'), gzipSync(html));
		writeFileSync(join(root, '_app/immutable/entry/app.abc123.js'), 'export {};');
		writeFileSync(join(root, '_app/version.json'), '{"version":"1"}');
		writeFileSync(join(root, 'service-worker.js'), 'self.skipWaiting();');
		writeFileSync(join(root, 'manifest.json'), '{}');
		// The static files need no database; any backend will do.
		t = await backends[0]!.open();
		app = testApp(t.db, { staticDir: root });
	});
	afterAll(async () => {
		rmSync(root, { recursive: true, force: true });
		await t?.close();
	});

	it('caches hashed assets forever', async () => {
		const res = await get(app, '/_app/immutable/entry/app.abc123.js');
		expect(res.status).toBe(200);
		expect(res.text).toBe('export {};');
		expect(res.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
	});

	it.each(['/service-worker.js', '/index.html', '/', '/manifest.json', '/_app/version.json'])(
		'revalidates %s on every use',
		async (path) => {
			const res = await get(app, path);
			expect(res.status).toBe(200);
			expect(res.headers.get('Cache-Control')).toBe('no-cache');
		}
	);

	it('serves the precompressed file the client accepts', async () => {
		const br = await app.request('/index.html', { headers: { 'Accept-Encoding': 'gzip, br' } });
		expect(br.headers.get('Content-Encoding')).toBe('br');
		const gz = await app.request('/index.html', { headers: { 'Accept-Encoding': 'gzip' } });
		expect(gz.headers.get('Content-Encoding')).toBe('gzip');
		expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(html);
		const plain = await get(app, '/index.html');
		expect(plain.headers.get('Content-Encoding')).toBeNull();
		expect(plain.text).toBe(html);
	});

	it('answers index.html for any page the app routes itself', async () => {
		const res = await get(app, '/applications/0190a6e0-0000-7000-8000-000000000001');
		expect(res.status).toBe(200);
		expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
		expect(res.headers.get('Cache-Control')).toBe('no-cache');
		expect(res.text).toBe(html);
	});

	it('answers 404, not index.html, for a missing build asset or API path', async () => {
		for (const path of ['/_app/immutable/entry/gone.js', '/api/nope']) {
			const res = await get(app, path);
			expect(res.status).toBe(404);
			expect(res.headers.get('Cache-Control')).toBeNull();
			expect(v.parse(ErrorBody, res.json).error.code).toBe('not_found');
		}
	});

	it('still serves the API beside the files', async () => {
		const res = await get(app, '/api/health');
		expect(res.json).toMatchObject({ status: 'ok' });
	});
});
