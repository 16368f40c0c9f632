/**
 * Every static file goes out compressed as the client accepts, from the copies made at build
 * time, with the headers a cache needs; and the budget (scripts/budget) counts exactly the
 * bytes a browser receives.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedSize } from '../../scripts/budget/served-size';
import { backends, type TestDatabase } from './backends';
import { testApp, type App } from './helpers';

// What Chromium sends, and what an old client that knows only gzip sends.
const BROWSER = 'gzip, deflate, br, zstd';
const GZIP_ONLY = 'gzip';

/** Files as adapter-static writes them (`precompress: true`): text beside its .br and .gz. */
const COMPRESSED = [
	'index.html',
	'service-worker.js',
	'favicon.svg',
	'_app/version.json',
	'_app/immutable/entry/app.abc123.js',
	'_app/immutable/assets/0.def456.css'
];
// Images are compressed already; the build makes no copies of them.
const IMAGE = 'icons/icon-192.png';

const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('compressed static files', () => {
	let root: string;
	let app: App;
	let t: TestDatabase;
	beforeAll(async () => {
		root = mkdtempSync(join(tmpdir(), 'dala-static-'));
		for (const file of [...COMPRESSED, IMAGE]) {
			const body = Buffer.from(`${file} `.repeat(200));
			mkdirSync(dirname(join(root, file)), { recursive: true });
			writeFileSync(join(root, file), body);
			if (file === IMAGE) continue;
			writeFileSync(join(root, `${file}.br`), brotliCompressSync(body));
			writeFileSync(join(root, `${file}.gz`), gzipSync(body));
		}
		// The static files need no database; any backend will do.
		t = await backends[0]!.open();
		app = testApp(t.db, { staticDir: root });
	});
	afterAll(async () => {
		rmSync(root, { recursive: true, force: true });
		await t?.close();
	});

	const request = (path: string, acceptEncoding: string) =>
		app.request(path, { headers: { 'Accept-Encoding': acceptEncoding } });

	it.each(COMPRESSED)(
		'sends /%s as brotli to a browser, gzip to a gzip-only client',
		async (file) => {
			for (const [accept, encoding, suffix] of [
				[BROWSER, 'br', '.br'],
				[GZIP_ONLY, 'gzip', '.gz']
			] as const) {
				const res = await request(`/${file}`, accept);
				expect(res.status).toBe(200);
				expect(res.headers.get('Content-Encoding')).toBe(encoding);
				expect(res.headers.get('Vary')).toMatch(/Accept-Encoding/);
				expect(Buffer.from(await res.arrayBuffer())).toEqual(
					readFileSync(join(root, file + suffix))
				);
				expect(res.headers.get('Cache-Control')).toBe(
					file.startsWith('_app/immutable/') ? IMMUTABLE : 'no-cache'
				);
			}
		}
	);

	it.each([...COMPRESSED, IMAGE])(
		'sends /%s plain to a client that accepts no compression, saying it varies',
		async (file) => {
			const res = await request(`/${file}`, 'identity');
			expect(res.status).toBe(200);
			expect(res.headers.get('Content-Encoding')).toBeNull();
			expect(res.headers.get('Vary')).toBe('Accept-Encoding');
			expect(Buffer.from(await res.arrayBuffer())).toEqual(readFileSync(join(root, file)));
		}
	);

	it('answers a page the app routes itself with the compressed index.html', async () => {
		const res = await request('/applications', BROWSER);
		expect(res.headers.get('Content-Encoding')).toBe('br');
		expect(res.headers.get('Vary')).toBe('Accept-Encoding');
	});

	it.each([...COMPRESSED, IMAGE])(
		'the budget counts /%s as a browser receives it',
		async (file) => {
			const res = await request(`/${file}`, BROWSER);
			const { bytes, encoding } = servedSize(root, file);
			expect((await res.arrayBuffer()).byteLength).toBe(bytes);
			expect(res.headers.get('Content-Encoding') ?? 'identity').toBe(encoding);
		}
	);
});
