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
		const response = await fetch(`${app.server.url}/manifest.webmanifest`);
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
});
