/**
 * The budget (scripts/budget) against what real Chromium does on a citizen's first visit:
 * the bytes the page fetched match the budget's first-visit count, and the service worker
 * installs exactly the files the budget counts, so the tool and the app cannot drift apart.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readClientBuild } from '../../scripts/budget/client-build';
import { measure, type Figures } from '../../scripts/budget/figures';
import { openControlled, useAppAndBrowser } from './harness';

const ROOT = new URL('../../', import.meta.url).pathname;
const app = useAppAndBrowser();

interface Fetched {
	path: string;
	encodedBodySize: number;
}

describe('a first visit', () => {
	let figures: Figures;
	beforeAll(async () => {
		figures = measure(await readClientBuild(ROOT));
	});

	it('fetches what the budget counts, within 5 %', async () => {
		const { page } = app.browser;
		// A fresh profile: nothing cached, no service worker yet.
		await openControlled(page, app.server.url);
		// The page's own fetches (the worker's install is not the page's), bodies as they
		// came over the wire: Resource Timing's encodedBodySize is the compressed size.
		const fetched = await page.evaluate(() =>
			[
				...performance.getEntriesByType('navigation'),
				...performance.getEntriesByType('resource')
			].map((entry) => ({
				path: new URL(entry.name).pathname,
				encodedBodySize: (entry as PerformanceResourceTiming).encodedBodySize
			}))
		);
		const code = fetched.filter((f: Fetched) => f.path === '/' || f.path.startsWith('/_app/'));
		const counted = new Set(figures.firstVisit.files.map(({ file }) => `/${file}`));
		expect(code.map((f) => (f.path === '/' ? '/index.html' : f.path)).sort()).toEqual(
			[...counted].sort()
		);
		const bytes = code.reduce((sum, f) => sum + f.encodedBodySize, 0);
		console.log(`first visit: Chromium ${bytes} B, budget tool ${figures.firstVisit.bytes} B`);
		expect(Math.abs(bytes - figures.firstVisit.bytes) / figures.firstVisit.bytes).toBeLessThan(
			0.05
		);
	});

	it('installs the files the budget counts, and no others', async () => {
		const { page } = app.browser;
		await openControlled(page, app.server.url);
		const cached = await page.evaluate(async () => {
			const urls: string[] = [];
			for (const name of await caches.keys()) {
				if (!name.includes('precache')) continue;
				const cache = await caches.open(name);
				for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
			}
			return urls;
		});
		// The worker's script is not in its own cache; the browser keeps it, and the budget
		// counts it because the phone downloads it all the same.
		const counted = figures.precache.files
			.map(({ file }) => `/${file}`)
			.filter((path) => path !== '/service-worker.js');
		expect(cached.sort()).toEqual(counted.sort());
	});
});
