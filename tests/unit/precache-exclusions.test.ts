/**
 * The link between the client build and the service worker: the plugin writes the files
 * only staff pages load where the worker's glob reads them. (Which files those are is
 * tests/unit/budget.test.ts; that the worker installs what the budget counts is
 * tests/e2e/first-visit-bytes.test.ts.)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedConfig } from 'vite';
import { afterEach, describe, expect, it } from 'vitest';
import {
	CACHED_ONCE_VISITED_FILES,
	PRECACHE_EXCLUDED,
	precacheExclusions
} from '../../scripts/precache-exclusions';

const NODES = '.svelte-kit/generated/client-optimized/nodes';
let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Runs the plugin as the client (or server) build would, on a two-page app. */
async function build(ssr: boolean): Promise<void> {
	root = mkdtempSync(join(tmpdir(), 'dala-precache-'));
	const outDir = join(root, '.svelte-kit/output/client');
	mkdirSync(join(outDir, '.vite'), { recursive: true });
	mkdirSync(join(root, '.svelte-kit/output/server'), { recursive: true });
	writeFileSync(
		join(outDir, '.vite/manifest.json'),
		JSON.stringify({
			'entry.js': { file: '_app/immutable/entry/start.1.js', isEntry: true },
			[`${NODES}/0.js`]: { file: '_app/immutable/nodes/0.1.js', isEntry: true },
			[`${NODES}/1.js`]: { file: '_app/immutable/nodes/1.1.js', isEntry: true },
			[`${NODES}/2.js`]: {
				file: '_app/immutable/nodes/2.1.js',
				isEntry: true,
				imports: ['_office.js']
			},
			[`${NODES}/3.js`]: {
				file: '_app/immutable/nodes/3.1.js',
				isEntry: true,
				dynamicImports: ['_decoder.js']
			},
			'_office.js': { file: '_app/immutable/chunks/office.js' },
			'_decoder.js': {
				file: '_app/immutable/chunks/decoder.js',
				assets: ['_app/immutable/assets/reader.wasm']
			}
		})
	);
	writeFileSync(
		join(root, '.svelte-kit/output/server/manifest-full.js'),
		'export const manifest = { _: { routes: [' +
			'{ id: "/", page: { layouts: [0], errors: [1], leaf: 0 } },' +
			'{ id: "/office/queue", page: { layouts: [0], errors: [1], leaf: 2 } },' +
			'{ id: "/(citizen)/verify", page: { layouts: [0], errors: [1], leaf: 3 } },' +
			'{ id: "/api-like", page: null }] } };'
	);
	const plugin = precacheExclusions() as unknown as {
		configResolved(config: Pick<ResolvedConfig, 'build' | 'root'>): void;
		writeBundle(): Promise<void>;
	};
	plugin.configResolved({ build: { ssr, outDir } as ResolvedConfig['build'], root });
	await plugin.writeBundle();
}

describe('the precache exclusion list', () => {
	it('names the files only an office or verify page loads, as the worker’s URLs', async () => {
		await build(false);
		expect(JSON.parse(readFileSync(join(root, PRECACHE_EXCLUDED), 'utf8'))).toEqual([
			'/_app/immutable/assets/reader.wasm',
			'/_app/immutable/chunks/decoder.js',
			'/_app/immutable/chunks/office.js',
			'/_app/immutable/nodes/2.1.js',
			'/_app/immutable/nodes/3.1.js'
		]);
	});

	it('names what the worker keeps once /verify loads it: its decoder, not the office', async () => {
		await build(false);
		expect(JSON.parse(readFileSync(join(root, CACHED_ONCE_VISITED_FILES), 'utf8'))).toEqual([
			'/_app/immutable/assets/reader.wasm',
			'/_app/immutable/chunks/decoder.js',
			'/_app/immutable/nodes/3.1.js'
		]);
	});

	it('is left to the client build: the server build writes nothing', async () => {
		await build(true);
		expect(() => readFileSync(join(root, PRECACHE_EXCLUDED))).toThrow(/ENOENT/);
	});

	it('is where the service worker reads it', () => {
		const worker = readFileSync(new URL('../../app/service-worker.ts', import.meta.url), 'utf8');
		expect(worker).toContain(`import.meta.glob<string[]>('/${PRECACHE_EXCLUDED}'`);
		expect(worker).toContain(`import.meta.glob<string[]>('/${CACHED_ONCE_VISITED_FILES}'`);
	});
});
