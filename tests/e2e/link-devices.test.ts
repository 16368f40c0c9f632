import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import { applyOnline, correctAnswer } from './fill';
import { launchBrowser, openControlled, useAppAndBrowser } from './harness';

const app = useAppAndBrowser();

async function openDevices(page: Page): Promise<void> {
	await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
	await page.getByRole('heading', { name: 'Your devices', level: 1 }).waitFor();
}

/**
 * Presses "Sync now" until `seen()` holds, as a person would. A pull serves only changes
 * below every writing transaction still open on the server, so one pull may stop short of
 * a change that committed a moment ago; the next one brings it (delayed, never lost).
 */
async function syncUntil(page: Page, seen: () => Promise<boolean>): Promise<void> {
	const button = page.getByRole('button', { name: 'Sync now' });
	await expect
		.poll(
			async () => {
				if (await seen()) return true;
				if (await button.isEnabled()) await button.click();
				return false;
			},
			{ timeout: 20_000, interval: 1000 }
		)
		.toBe(true);
}

async function accept(page: Page, code: string): Promise<void> {
	await page.getByLabel('Code', { exact: true }).fill(code);
	await page.getByRole('button', { name: 'Link this device' }).click();
}

describe('two devices of one person', () => {
	it('link with a code, then each shows and corrects the applications of both', async () => {
		// Device A is the test file's browser; device B a second one with its own profile.
		const a = app.browser.page;
		const deviceB = await launchBrowser();
		const b = deviceB.page;
		try {
			await openControlled(a, app.server.url);
			const referenceA = await applyOnline(a);
			await openControlled(b, app.server.url);
			const referenceB = await applyOnline(b);

			await openDevices(a);
			await a.getByRole('button', { name: 'Show a code' }).click();
			const shown = a.locator('.link-code [aria-hidden="true"]');
			await shown.waitFor();
			const code = (await shown.textContent())!.trim();
			expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
			expect(await a.getByText(/within 10 minutes/).isVisible()).toBe(true);
			expect(await seriousViolations(a, 'devices with a code')).toEqual([]);

			// A code the server never offered: the field says so, with a summary above.
			await openDevices(b);
			await accept(b, code === 'AAAAA-AAAAA' ? 'BBBBB-BBBBB' : 'AAAAA-AAAAA');
			await b.getByRole('heading', { name: 'There is a problem' }).waitFor();
			const wrong = 'This code is wrong or has expired';
			await expect.poll(() => b.getByText(wrong).count()).toBe(2);
			expect(await b.getByLabel('Code', { exact: true }).getAttribute('aria-invalid')).toBe('true');
			expect(await seriousViolations(b, 'devices with a wrong code')).toEqual([]);

			// Typed as a person might: lower case, a space for the dash.
			await accept(b, code.toLowerCase().replace('-', ' '));
			await b
				.getByRole('status')
				.getByText('Linked: this device now shows the applications of 2 devices')
				.waitFor({ timeout: 15_000 });
			expect(await b.getByText(wrong).count()).toBe(0);

			// B now shows A's application, sent from the other device, as well as its own.
			await b.getByRole('link', { name: 'See your applications' }).click();
			await b.getByRole('heading', { name: 'My applications', level: 1 }).waitFor();
			await expect
				.poll(() => b.getByText(referenceA, { exact: true }).isVisible(), { timeout: 15_000 })
				.toBe(true);
			expect(await b.getByText(referenceB, { exact: true }).isVisible()).toBe(true);
			expect(await b.getByText(/Sent from your other device/).count()).toBe(1);

			// B corrects A's application.
			const itemA = b.getByRole('listitem').filter({ hasText: referenceA });
			await itemA.getByRole('link').click();
			await b.getByRole('heading', { name: 'Application received' }).waitFor();
			expect(await b.locator('.reference').textContent()).toBe(referenceA);
			await correctAnswer(b, 'Business name', 'ЖК Сейтқали және ұлдары');
			await expect
				.poll(
					() => b.getByRole('definition').filter({ hasText: 'ЖК Сейтқали және ұлдары' }).count(),
					{ timeout: 15_000 }
				)
				.toBe(1);
			await expect.poll(() => b.getByText('Waiting to send: 0').isVisible()).toBe(true);

			// A pulls B's application and the correction of its own.
			await a.getByRole('link', { name: 'My applications' }).first().click();
			await syncUntil(a, () => a.getByText(referenceB, { exact: true }).isVisible());
			await a.getByRole('listitem').filter({ hasText: referenceA }).getByRole('link').click();
			await syncUntil(a, async () =>
				a.getByRole('definition').filter({ hasText: 'ЖК Сейтқали және ұлдары' }).isVisible()
			);
		} finally {
			await deviceB.close();
		}
	});

	it('says that linking needs a connection when the device is offline', async () => {
		const { page, context } = app.browser;
		await openControlled(page, app.server.url);
		await openDevices(page);
		await context.setOffline(true);
		try {
			await expect
				.poll(() =>
					page.getByText('You are offline. Linking a device needs a connection.').isVisible()
				)
				.toBe(true);
			await page.getByRole('button', { name: 'Show a code' }).click();
			await page.getByRole('alert').getByText('Linking needs a connection').waitFor();
			await accept(page, '7K3QD-M2XHA');
			await expect
				.poll(() => page.getByRole('alert').getByText('Linking needs a connection').count())
				.toBe(2);
		} finally {
			await context.setOffline(false);
		}
	});
});
