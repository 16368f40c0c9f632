import { describe, expect, it } from 'vitest';
import {
	continueTo,
	draftSaved,
	fillApplication,
	GOOD_ANSWERS,
	personIin,
	signIn,
	startApplication,
	submitApplication
} from './fill';
import { applicationsStored, openControlled, useAppAndBrowser } from './harness';

const app = useAppAndBrowser();

describe('the offline loop in real Chromium', () => {
	it('applies offline, survives reloads, and is received exactly once when back online', async () => {
		const { page, context } = app.browser;
		await openControlled(page, app.server.url);

		await context.setOffline(true);
		await page.reload();
		await expect
			.poll(() => page.getByRole('heading', { name: 'Government services' }).isVisible())
			.toBe(true);
		await expect.poll(() => page.getByText('Offline', { exact: true }).isVisible()).toBe(true);

		await startApplication(page);
		await fillApplication(page);
		await draftSaved(page, 'businessAddress.house', GOOD_ANSWERS.house);
		// Reload mid-form while offline: the draft comes back from IndexedDB.
		await page.reload();
		await expect.poll(() => page.getByLabel('House').inputValue()).toBe(GOOD_ANSWERS.house);
		await expect.poll(() => page.getByLabel('Region or city').inputValue()).toBe('turkistan');
		// The earlier steps too, by going back to them.
		await page.getByRole('link', { name: 'Back' }).click();
		await expect
			.poll(() => page.getByLabel('Type of activity').inputValue())
			.toBe(GOOD_ANSWERS.activity);
		await page.getByRole('link', { name: 'Back' }).click();
		await expect
			.poll(() => page.getByLabel('Full name').inputValue())
			.toBe('Сейтқали Айгүл Нұрланқызы');
		await continueTo(page, 'Your business');
		await continueTo(page, 'Where you work');
		await submitApplication(page);

		await page.getByRole('heading', { name: 'Application saved' }).waitFor();
		await expect
			.poll(() => page.getByText('Waiting to send', { exact: true }).isVisible())
			.toBe(true);
		const applicationUrl = page.url();
		const applicationId = applicationUrl.split('/').pop()!;

		await page.reload();
		await page.getByRole('heading', { name: 'Application saved' }).waitFor();
		await expect.poll(() => page.getByText('Waiting to send: 1').isVisible()).toBe(true);

		// Made with no account: the person signs in once there is a network, to send it.
		await context.setOffline(false);
		await signIn(page, app.server, personIin(130), '16');
		await page.getByRole('heading', { name: 'Application received' }).waitFor({ timeout: 15_000 });
		const reference = await page.locator('.reference').textContent();
		expect(reference).toMatch(/^DL-\d{4}-\d{6}$/);
		await expect.poll(() => page.getByText('Waiting to send: 0').isVisible()).toBe(true);

		await page.goto(`${app.server.url}/applications`);
		await expect.poll(() => page.getByText(reference!).isVisible()).toBe(true);

		// The central database holds exactly one row for it.
		expect(await applicationsStored(app)).toEqual([applicationId]);
	});
});
