/**
 * The byte budget (scripts/budget) on fixture builds written to a temporary folder: a
 * small app shaped like SvelteKit's output (a Vite manifest, a route table, adapter-static's
 * files with their .br), so each test can grow one chunk and see the budget catch it.
 */
import { brotliCompressSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { outsideCitizenFiles, type ViteManifest } from '../../scripts/budget/chunk-graph';
import { QR_DECODER_MODULE } from '../../scripts/budget/figures';
import { runBudget } from '../../scripts/budget/run';

const NODES = '.svelte-kit/generated/client-optimized/nodes';
const IMMUTABLE = '_app/immutable';

/** The manifest of an app with a home page, a citizen page and a staff page. */
function manifest(): ViteManifest {
	return {
		'entry.js': {
			file: `${IMMUTABLE}/entry/start.a1.js`,
			name: 'entry/start',
			isEntry: true,
			imports: ['_client.js']
		},
		'.svelte-kit/generated/client-optimized/app.js': {
			file: `${IMMUTABLE}/entry/app.a2.js`,
			name: 'entry/app',
			isEntry: true,
			imports: ['_client.js'],
			dynamicImports: [0, 1, 2, 3, 4].map((n) => `${NODES}/${n}.js`)
		},
		'_client.js': { file: `${IMMUTABLE}/chunks/c1.js`, name: 'client' },
		[`${NODES}/0.js`]: {
			file: `${IMMUTABLE}/nodes/0.b0.js`,
			name: 'nodes/0',
			isEntry: true,
			imports: ['_client.js'],
			dynamicImports: ['lazy.js'],
			css: [`${IMMUTABLE}/assets/0.AbCdEf12.css`]
		},
		[`${NODES}/1.js`]: { file: `${IMMUTABLE}/nodes/1.b1.js`, name: 'nodes/1', isEntry: true },
		[`${NODES}/2.js`]: {
			file: `${IMMUTABLE}/nodes/2.b2.js`,
			name: 'nodes/2',
			isEntry: true,
			imports: ['_client.js']
		},
		[`${NODES}/3.js`]: {
			file: `${IMMUTABLE}/nodes/3.b3.js`,
			name: 'nodes/3',
			isEntry: true,
			imports: ['_shared.js']
		},
		// The staff page: it imports a chunk only it uses and one a citizen page shares.
		[`${NODES}/4.js`]: {
			file: `${IMMUTABLE}/nodes/4.b4.js`,
			name: 'nodes/4',
			isEntry: true,
			imports: ['_staff-only.js', '_shared.js'],
			css: [`${IMMUTABLE}/assets/4.XyZw1234.css`]
		},
		'_shared.js': { file: `${IMMUTABLE}/chunks/s1.js`, name: 'shared' },
		'_staff-only.js': { file: `${IMMUTABLE}/chunks/so.js`, name: 'staff-only' },
		'lazy.js': { file: `${IMMUTABLE}/chunks/l1.js`, name: 'lazy', isDynamicEntry: true }
	} as ViteManifest;
}

const routes = [
	{ id: '/', nodes: [0, 1, 2] },
	{ id: '/applications', nodes: [0, 1, 3] },
	{ id: '/staff/cases', nodes: [0, 1, 4] }
];

/** Pseudo-random text that brotli cannot shrink much, so sizes are easy to reason about. */
function noise(bytes: number): string {
	let seed = bytes;
	let text = '';
	while (text.length < bytes) {
		seed = (seed * 1103515245 + 12345) % 2 ** 31;
		text += seed.toString(36);
	}
	return text.slice(0, bytes);
}

const roots: string[] = [];
afterEach(() => {
	for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/**
 * Writes the fixture build: `change` edits its manifest first, `sizes` overrides a file's
 * raw size (1000 B by default).
 */
function fixture(
	options: { change?: (m: ViteManifest) => void; sizes?: Record<string, number> } = {}
): string {
	const sizes = options.sizes ?? {};
	const root = mkdtempSync(join(tmpdir(), 'dala-budget-'));
	roots.push(root);
	const write = (path: string, text: string) => {
		mkdirSync(dirname(join(root, path)), { recursive: true });
		writeFileSync(join(root, path), text);
	};
	const m = manifest();
	options.change?.(m);
	write('.svelte-kit/output/client/.vite/manifest.json', JSON.stringify(m));
	write(
		'.svelte-kit/output/server/manifest-full.js',
		`export const manifest = { _: { routes: ${JSON.stringify(
			routes.map(({ id, nodes: [layout, error, leaf] }) => ({
				id,
				page: { layouts: [layout], errors: [error], leaf }
			}))
		)} } };`
	);
	const files = Object.values(m).flatMap((c) => [c.file, ...(c.css ?? [])]);
	for (const file of [...files, 'index.html', 'service-worker.js', 'favicon.svg']) {
		const text = noise(sizes[file] ?? 1000);
		write(`build/${file}`, text);
		write(`build/${file}.br`, brotliCompressSync(text).toString('latin1'));
	}
	write('build/icons/icon.png', noise(500));
	return root;
}

async function writeBudgets(root: string): Promise<void> {
	expect((await runBudget(root, ['--write'])).code).toBe(0);
}

describe('the service worker leaves out what only outside routes load', () => {
	it('drops the staff-only chunk, its page and its CSS, and keeps what a citizen page shares', () => {
		expect([...outsideCitizenFiles(manifest(), routes)].sort()).toEqual([
			`${IMMUTABLE}/assets/4.XyZw1234.css`,
			`${IMMUTABLE}/chunks/so.js`,
			`${IMMUTABLE}/nodes/4.b4.js`
		]);
	});

	it('drops nothing when every route is the citizen’s', () => {
		// A node no route names stays in, to be safe.
		expect(outsideCitizenFiles(manifest(), routes.slice(0, 2)).size).toBe(0);
		const citizenOnly = routes.slice(0, 2).concat({ id: '/(forms)/staffing', nodes: [0, 1, 4] });
		expect(outsideCitizenFiles(manifest(), citizenOnly).size).toBe(0);
	});

	it('knows route groups do not hide an outside prefix', () => {
		const grouped = [...routes.slice(0, 2), { id: '/(back-office)/admin/users', nodes: [0, 1, 4] }];
		expect(outsideCitizenFiles(manifest(), grouped).size).toBe(3);
	});
});

describe('npm run budget', () => {
	it('counts the first visit as the HTML, the entries and the home route, brotli as served', async () => {
		const root = fixture();
		const { output } = await runBudget(root, ['--report']);
		const [firstVisit, install, outside] = reportSections(output);
		// Node 0's lazy import counts: a home-page module may run it at start.
		expect(firstVisit).toEqual([
			'0.css ← every page',
			'client ← every page',
			'entry/app ← every page',
			'entry/start ← every page',
			'index.html ← every page (the HTML)',
			'lazy ← every page',
			'nodes/0 ← every page',
			'nodes/1 ← every page',
			'nodes/2 ← /'
		]);
		expect(install).toEqual(
			[
				...firstVisit!,
				'favicon.svg ← no page at start (precached for offline use)',
				'icons/icon.png ← no page at start (precached for offline use)',
				'nodes/3 ← /applications',
				'service-worker.js ← no page at start (precached for offline use)',
				'shared ← /applications, /staff/cases'
			].sort()
		);
		expect(outside).toEqual([
			"4.css ← /staff/cases (outside the citizen's app: not precached)",
			"nodes/4 ← /staff/cases (outside the citizen's app: not precached)",
			"staff-only ← /staff/cases (outside the citizen's app: not precached)"
		]);
		// Each file as served: brotli where the build made a .br, else the file itself.
		const sizes = output.filter((line) => /^ +\d+ B /.test(line));
		expect(sizes.find((line) => line.includes('icons/icon.png'))).toMatch(/ 500 B identity /);
		expect(sizes.find((line) => line.includes('nodes/2'))).toMatch(/ \d+ B br /);
	});

	it('passes a build within its budgets', async () => {
		const root = fixture();
		await writeBudgets(root);
		const { code, output } = await runBudget(root, []);
		expect(code).toBe(0);
		expect(output.at(-1)).toBe('within budget');
	});

	it('fails when a large module is imported into the home page, and names it', async () => {
		const root = fixture();
		await writeBudgets(root);
		// The home page imports a 40 kB module of its own and grows a little itself.
		const grown = fixture({
			change: (m) => {
				m['_decoder.js'] = { file: `${IMMUTABLE}/chunks/d1.js`, name: 'decoder' };
				m[`${NODES}/2.js`]!.imports!.push('_decoder.js');
			},
			sizes: { [`${IMMUTABLE}/chunks/d1.js`]: 40_000, [`${IMMUTABLE}/nodes/2.b2.js`]: 1100 }
		});
		writeFileSync(join(grown, 'budgets.json'), readText(join(root, 'budgets.json')));
		const { code, output } = await runBudget(grown, []);
		expect(code).toBe(1);
		const message = output.join('\n');
		expect(message).toMatch(/first visit to the home page: \d+ B is over its budget of \d+ B/);
		expect(message).toMatch(/service worker install: \d+ B is over its budget/);
		expect(message).toMatch(/ {4}decoder: new \d{5} B\n {4}nodes\/2: \d+ → \d+ B \(\+\d+ B\)/);
		expect(message).not.toMatch(/ {4}client:/);
	});

	it('does not count a large module a staff page imports', async () => {
		const root = fixture();
		await writeBudgets(root);
		const grown = fixture({ sizes: { [`${IMMUTABLE}/chunks/so.js`]: 40_000 } });
		writeFileSync(join(grown, 'budgets.json'), readText(join(root, 'budgets.json')));
		expect((await runBudget(grown, [])).code).toBe(0);
	});

	it('counts the QR decoder on its own, in neither the first visit nor the install', async () => {
		// The decoder as /verify loads it: lazily, from a page outside the citizen's app.
		const withDecoder = (size: number) =>
			fixture({
				change: (m) => {
					m[QR_DECODER_MODULE] = { file: `${IMMUTABLE}/chunks/zx.js`, name: 'zxing' };
					m[`${NODES}/4.js`]!.dynamicImports = [QR_DECODER_MODULE];
				},
				sizes: { [`${IMMUTABLE}/chunks/zx.js`]: size }
			});
		const root = withDecoder(20_000);
		await writeBudgets(root);
		const plain = fixture();
		await writeBudgets(plain);
		const limits = (dir: string) =>
			JSON.parse(readText(join(dir, 'budgets.json'))) as Record<string, { limit: number }>;
		expect(limits(root).firstVisit).toEqual(limits(plain).firstVisit);
		expect(limits(root).precache!.limit).toBe(limits(plain).precache!.limit);
		expect(limits(root).qrDecoder!.limit).toBeGreaterThan(10_000);
		expect(limits(plain).qrDecoder!.limit).toBe(1024);

		const grown = withDecoder(40_000);
		writeFileSync(join(grown, 'budgets.json'), readText(join(root, 'budgets.json')));
		const { code, output } = await runBudget(grown, []);
		expect(code).toBe(1);
		const message = output.join('\n');
		expect(message).toMatch(/QR decoder, \/verify on first use: \d+ B is over its budget/);
		expect(message).toMatch(/ {4}zxing: \d+ → \d+ B/);
		expect(message).not.toMatch(/service worker install: \d+ B is over/);
	});

	it('fails clearly when budgets.json is missing or malformed', async () => {
		const root = fixture();
		expect(await runBudget(root, [])).toEqual({
			code: 2,
			output: expect.arrayContaining([expect.stringMatching(/no budgets at .*budgets\.json/)])
		});
		writeFileSync(join(root, 'budgets.json'), '{ "firstVisit": ');
		expect((await runBudget(root, [])).output.at(-1)).toMatch(/budgets\.json is not JSON/);
		writeFileSync(join(root, 'budgets.json'), JSON.stringify({ firstVisit: { limit: -1 } }));
		const { code, output } = await runBudget(root, []);
		expect(code).toBe(2);
		expect(output.at(-1)).toMatch(/budgets\.json is malformed:\n.*firstVisit/);
	});

	it('refuses an option it does not know', async () => {
		const { code, output } = await runBudget(fixture(), ['--reprot']);
		expect(code).toBe(2);
		expect(output).toEqual(['budget: unknown --reprot; use --report or --write']);
	});

	it('fails clearly when the build is missing', async () => {
		const empty = mkdtempSync(join(tmpdir(), 'dala-budget-'));
		roots.push(empty);
		const { code, output } = await runBudget(empty, []);
		expect(code).toBe(2);
		expect(output.join('\n')).toMatch(/no index\.html in .*build: run `npm run build` first/);
		const root = fixture();
		rmSync(join(root, '.svelte-kit'), { recursive: true });
		expect((await runBudget(root, [])).output.join('\n')).toMatch(/no client manifest/);
	});
});

/** The report's three lists (first visit, install, left out) as `label ← pages`, sorted. */
function reportSections(output: string[]): string[][] {
	return output
		.join('\n')
		.split('\n\n')
		.slice(1)
		.map((section) =>
			section
				.split('\n')
				.slice(1)
				.filter((line) => / B /.test(line))
				.map((line) => {
					const [, , , label] = line.trim().split(/\s+/);
					return `${label} ← ${line.split(' ← ')[1]}`;
				})
				.sort()
		);
}

function readText(path: string): string {
	return readFileSync(path, 'utf8');
}
