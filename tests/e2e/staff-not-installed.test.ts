/**
 * A chunk only a staff page imports stays out of a citizen's install, in a real build and
 * a real service worker: the app is copied to a temporary folder, given a /staff page with
 * a module of its own, and built there (build/ is left alone).
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsideCitizenFiles } from '../../scripts/budget/chunk-graph';
import { readClientBuild, type ClientBuild } from '../../scripts/budget/client-build';
import {
	launchBrowser,
	openControlled,
	startServer,
	type Browser,
	type RunningServer
} from './harness';

const ROOT = new URL('../../', import.meta.url).pathname;
// What `vite build` reads: the app, the code both sides share, the build tools, the config.
const SOURCES = [
	'app',
	'shared',
	'scripts',
	'static',
	'messages',
	'project.inlang',
	'package.json',
	'svelte.config.js',
	'vite.config.ts',
	'tsconfig.json'
];
// A marker no citizen page holds, to find the staff module in whatever chunk it lands in.
const MARKER = 'staff-only-module-marker';

let fixture: string;
let build: ClientBuild;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
	fixture = await mkdtemp(join(tmpdir(), 'dala-staff-app-'));
	for (const source of SOURCES)
		await cp(join(ROOT, source), join(fixture, source), { recursive: true });
	await symlink(await realpath(join(ROOT, 'node_modules')), join(fixture, 'node_modules'));
	// Two staff pages share the module, so it becomes a chunk of its own that only they import.
	await mkdir(join(fixture, 'app/routes/staff/cases/[id]'), { recursive: true });
	await writeFile(
		join(fixture, 'app/routes/staff/cases/queue.ts'),
		`export const queue = ['${MARKER}', ${JSON.stringify('x'.repeat(2000))}];\n`
	);
	const pages: [page: string, from: string][] = [
		['cases/+page.svelte', './queue'],
		['cases/[id]/+page.svelte', '../queue']
	];
	for (const [page, from] of pages) {
		await writeFile(
			join(fixture, 'app/routes/staff', page),
			`<script lang="ts">\n\timport { queue } from '${from}';\n</script>\n\n<h1>{queue[0]}</h1>\n`
		);
	}
	await promisify(execFile)(
		process.execPath,
		[join(fixture, 'node_modules/vite/bin/vite.js'), 'build'],
		{
			cwd: fixture,
			maxBuffer: 16 * 1024 * 1024
		}
	);
	build = await readClientBuild(fixture);
	server = await startServer({ staticDir: build.dir });
	browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
	await browser?.close();
	await server?.stop();
	await rm(fixture, { recursive: true, force: true });
});

/** The paths in the service worker's precache. */
async function precached(): Promise<string[]> {
	return browser.page.evaluate(async () => {
		const urls: string[] = [];
		for (const name of await caches.keys()) {
			if (!name.includes('precache')) continue;
			for (const request of await (await caches.open(name)).keys()) {
				urls.push(new URL(request.url).pathname);
			}
		}
		return urls;
	});
}

describe('a staff page', () => {
	it('is built, but its code is not installed on a citizen’s phone', async () => {
		const outside = [...outsideCitizenFiles(build.manifest, build.routes)].map((f) => `/${f}`);
		const holders: string[] = [];
		for (const file of outside) {
			if ((await readFile(join(build.dir, file), 'utf8')).includes(MARKER)) holders.push(file);
		}
		expect(holders).toEqual([expect.stringMatching(/^\/_app\/immutable\/chunks\//)]);
		// The chunk, the two pages, and the office's own pages (sign-in, set-password, …).
		expect(outside.length).toBeGreaterThan(3);
		expect(build.routes.map((route) => route.id)).toContain('/(office)/staff/sign-in');

		await openControlled(browser.page, server.url);
		const installed = await precached();
		expect(installed).toContain('/index.html');
		expect(installed.filter((path) => outside.includes(path))).toEqual([]);
	});

	it('still opens online, loading its chunk when asked', async () => {
		await browser.page.goto(`${server.url}/staff/cases`);
		await expect.poll(() => browser.page.getByRole('heading', { name: MARKER }).count()).toBe(1);
	});
});
