import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApplication } from './fill';
import {
	launchBrowser,
	openControlled,
	startServer,
	type Browser,
	type RunningServer
} from './harness';

let server: RunningServer;
let browser: Browser;
let staticDir: string;

beforeAll(async () => {
	// A copy of the build, so the test can publish a "new version" without touching build/.
	staticDir = await mkdtemp(join(tmpdir(), 'dala-static-'));
	await cp(new URL('../../build', import.meta.url).pathname, staticDir, { recursive: true });
	server = await startServer({ staticDir });
	browser = await launchBrowser();
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
	await rm(staticDir, { recursive: true, force: true });
});

describe('a new version of the app', () => {
	it('is offered with a Reload prompt that keeps what the person typed', async () => {
		const { page } = browser;
		await openControlled(page, server.url);
		await startApplication(page);
		await page.getByLabel('Full name').fill('Сейтқали Айгүл');

		// Publish a new service worker and let the browser find it.
		await appendFile(join(staticDir, 'service-worker.js'), '\n// a new release\n');
		await rm(join(staticDir, 'service-worker.js.br'), { force: true });
		await rm(join(staticDir, 'service-worker.js.gz'), { force: true });
		await page.evaluate(async () => {
			const registration = await navigator.serviceWorker.getRegistration();
			await registration?.update();
		});

		const reload = page.getByRole('button', { name: 'Reload' });
		await reload.waitFor({ timeout: 20_000 });
		expect(await page.getByText('A new version is ready').isVisible()).toBe(true);

		// Typed just before choosing to reload: must survive the reload too.
		await page.getByLabel('Phone number').fill('+7 701 234 56 78');
		await Promise.all([page.waitForEvent('load'), reload.click()]);

		await expect.poll(() => page.getByLabel('Full name').inputValue()).toBe('Сейтқали Айгүл');
		await expect.poll(() => page.getByLabel('Phone number').inputValue()).toBe('+7 701 234 56 78');
		expect(await page.getByRole('button', { name: 'Reload' }).count()).toBe(0);
		const waiting = await page.evaluate(
			async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null
		);
		expect(waiting).toBeNull();
	});
});
