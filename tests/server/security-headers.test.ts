import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestDatabase } from './backends';
import { get, newDevice, testApp, type App } from './helpers';

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const script = '\n\t\t\t\t{ __sveltekit_x = { base: "" }; }\n\t\t\t';
const announcer = 'position: absolute; left: 0; width: 1px';

describe('security headers', () => {
	let root: string;
	let app: App;
	let t: TestDatabase;
	beforeAll(async () => {
		root = mkdtempSync(join(tmpdir(), 'dala-static-'));
		mkdirSync(join(root, '_app/immutable/entry'), { recursive: true });
		writeFileSync(
			join(root, 'index.html'),
			`<!doctype html><body><div style="display: contents"><script>${script}</script>` +
				'<script src="/x.js"></script></div>'
		);
		writeFileSync(
			join(root, '_app/immutable/entry/app.abc.js'),
			`const t = \`<div id="svelte-announcer" style="${announcer}"></div>\`;`
		);
		t = await backends[0]!.open();
		app = testApp(t.db, { staticDir: root });
	});
	afterAll(async () => {
		rmSync(root, { recursive: true, force: true });
		await t?.close();
	});

	// /verify too: its QR decoder compiles WebAssembly, and the policy is the same everywhere
	// because a client-side navigation keeps the policy of the page first loaded.
	it('let WebAssembly compile on every page, /verify and the pages that link to it', async () => {
		for (const path of ['/', '/verify', '/applications']) {
			const policy = (await get(app, path)).headers.get('Content-Security-Policy')!;
			expect(policy, path).toMatch(/script-src 'self' 'wasm-unsafe-eval'/);
		}
	});

	it.each(['/', '/devices', '/_app/immutable/entry/app.abc.js', '/api/health', '/api/nothing'])(
		'are on %s',
		async (path) => {
			const res = await get(app, path);
			expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
			expect(res.headers.get('Referrer-Policy')).toBe('no-referrer');
			expect(res.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
			expect(res.headers.get('Permissions-Policy')).toContain('camera=(self)');
			expect(res.headers.get('X-Frame-Options')).toBe('DENY');
			expect(res.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
		}
	);

	it('are on a refused request too', async () => {
		const device = await newDevice(app);
		const res = await app.request('/api/sync/pull', { headers: { 'Dala-Device': device.id } });
		expect(res.status).toBeGreaterThanOrEqual(400);
		expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'self'");
	});

	it('allow exactly the inline script and the style attributes of the build', async () => {
		const policy = (await get(app, '/')).headers.get('Content-Security-Policy')!;
		const directive = (name: string) =>
			policy
				.split('; ')
				.find((d) => d.startsWith(`${name} `))
				?.split(' ')
				.slice(1);
		expect(directive('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'", hash(script)]);
		expect(directive('style-src')?.sort()).toEqual(
			["'self'", "'unsafe-hashes'", hash('display: contents'), hash(announcer)].sort()
		);
		expect(policy).not.toContain('unsafe-inline');
		// WebAssembly may compile (the QR decoder of /verify); JavaScript's eval may not.
		expect(policy).not.toContain("'unsafe-eval'");
		expect(directive('object-src')).toEqual(["'none'"]);
		expect(directive('base-uri')).toEqual(["'none'"]);
	});
});
