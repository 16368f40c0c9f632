/**
 * The form one step per page: Back keeps what was typed, a reload or reopening the draft
 * resumes on the step the person was on, a "Change" link on check-your-answers goes to
 * the field and comes back, and deleting a draft is confirmed on a page of its own.
 */
import { describe, expect, it } from 'vitest';
import { continueTo, fillApplication, GOOD_ANSWERS, startApplication } from './fill';
import { openControlled, useAppAndBrowser } from './harness';

const app = useAppAndBrowser();

describe('a form in steps', () => {
	it('goes back and on, resumes where the person was, and returns from a Change link', async () => {
		const { page } = app.browser;
		await openControlled(page, app.server.url);
		await startApplication(page);

		// Continue checks only this step: the later steps are not yet asked.
		await page.getByLabel('Full name', { exact: true }).fill(GOOD_ANSWERS.fullName);
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
		expect(await page.getByRole('link', { name: /IIN/ }).count()).toBeGreaterThan(0);
		expect(await page.getByRole('link', { name: /Business name/ }).count()).toBe(0);

		await page.getByLabel('Your IIN', { exact: true }).fill(GOOD_ANSWERS.iin);
		await page.getByLabel('Phone number', { exact: true }).fill(GOOD_ANSWERS.phone);
		await continueTo(page, 'Your business');
		await page.getByLabel('Business name', { exact: true }).fill(GOOD_ANSWERS.businessName);

		await page.getByRole('link', { name: 'Back' }).click();
		await page.getByRole('heading', { name: 'About you', level: 1 }).waitFor();
		expect(await page.getByLabel('Full name', { exact: true }).inputValue()).toBe(
			GOOD_ANSWERS.fullName
		);
		await continueTo(page, 'Your business');
		expect(await page.getByLabel('Business name', { exact: true }).inputValue()).toBe(
			GOOD_ANSWERS.businessName
		);

		// Reopened from the list, the draft resumes on the step the person left.
		await page.goto(`${app.server.url}/applications`);
		await page
			.getByRole('link', { name: 'Register as an individual entrepreneur', exact: true })
			.click();
		await page.getByRole('heading', { name: 'Your business', level: 1 }).waitFor();

		await page.getByRole('link', { name: 'Back' }).click();
		await page.getByRole('heading', { name: 'About you', level: 1 }).waitFor();
		await fillApplication(page);
		await continueTo(page, 'Check your answers before sending');

		// "Change" goes to the field on its step; Continue comes straight back.
		await page.getByRole('link', { name: 'Change Business name' }).click();
		await page.getByRole('heading', { name: 'Your business', level: 1 }).waitFor();
		await expect
			.poll(() => page.evaluate(() => document.activeElement?.id))
			.toBe('field-tradeName');
		await page.getByLabel('Business name', { exact: true }).fill('ЖК Сейтқали және ұлдары');
		await continueTo(page, 'Check your answers before sending');
		expect(await page.getByText('ЖК Сейтқали және ұлдары', { exact: true }).isVisible()).toBe(true);

		await page.reload();
		await page.getByRole('heading', { name: 'Check your answers before sending' }).waitFor();
	});

	it('deletes a draft only after asking on a page of its own', async () => {
		const { page } = app.browser;
		await openControlled(page, app.server.url);
		await startApplication(page);
		await page.getByLabel('Full name', { exact: true }).fill('Сейтқали Айгүл');

		await page.goto(`${app.server.url}/applications`);
		const drafts = page.getByRole('link', { name: /^Delete draft/ });
		await drafts.first().waitFor();
		const before = await drafts.count();
		await drafts.first().click();
		await page
			.getByRole('heading', { name: 'Are you sure you want to delete this draft?' })
			.waitFor();
		await page.getByRole('link', { name: 'No, keep it' }).click();
		await page.getByRole('heading', { name: 'My applications', level: 1 }).waitFor();
		await drafts.first().waitFor();
		expect(await drafts.count()).toBe(before);

		await drafts.first().click();
		await page.getByRole('button', { name: 'Yes, delete the draft' }).click();
		await page.getByRole('heading', { name: 'My applications', level: 1 }).waitFor();
		await expect.poll(() => drafts.count()).toBe(before - 1);
	});
});
