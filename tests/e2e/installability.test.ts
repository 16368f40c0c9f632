import { describe, expect, it } from 'vitest';
import { openControlled, useAppAndBrowser } from './harness';

const app = useAppAndBrowser();

describe('installing Dala', () => {
	it('has no installability errors in Chromium', async () => {
		const { page, context } = app.browser;
		await openControlled(page, app.server.url);
		const cdp = await context.newCDPSession(page);
		const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
		expect(installabilityErrors).toEqual([]);
	});

	it('serves a complete web app manifest', async () => {
		const response = await fetch(`${app.server.url}/manifest.json`);
		expect(response.ok).toBe(true);
		const manifest = (await response.json()) as Record<string, unknown>;
		expect(manifest).toMatchObject({
			name: expect.any(String),
			short_name: 'Dala',
			description: expect.any(String),
			display: 'standalone',
			start_url: '/',
			lang: expect.any(String),
			theme_color: expect.any(String),
			background_color: expect.any(String)
		});
		const icons = manifest.icons as { sizes: string; purpose: string }[];
		expect(icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual(
			expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable'])
		);
	});

	it('opens any page of the app offline once visited', async () => {
		const { page, context } = app.browser;
		await openControlled(page, app.server.url);
		await context.setOffline(true);
		try {
			await page.goto(`${app.server.url}/applications`);
			await page.getByRole('heading', { name: 'My applications' }).waitFor();
		} finally {
			await context.setOffline(false);
		}
	});

	it('says when the browser may evict saved data, until the person hides it', async () => {
		const { page } = app.browser;
		await openControlled(page, app.server.url);
		const persisted = await page.evaluate(() => navigator.storage.persisted());
		const warning = page.getByRole('region', { name: 'Storage on this device' });
		// Chromium grants persistence to some origins (installed apps, heavy use) at once.
		if (persisted) {
			expect(await warning.count()).toBe(0);
			return;
		}
		await warning.waitFor();
		await warning.getByRole('button', { name: 'Hide this message' }).click();
		await page.reload();
		await page.getByRole('heading', { name: 'Government services' }).waitFor();
		expect(await warning.count()).toBe(0);
	});
});
