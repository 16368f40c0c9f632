/**
 * "Your devices" (issue 21): the person sees the devices signed in to their account, with
 * when each last synced, and removes a lost one; the removed phone, at its next contact,
 * keeps nothing of the person. A second phone joins by signing in there, which the page
 * says. Checked with axe in kk, ru and en.
 */
import { describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import { applyOnline, personIin, signIn } from './fill';
import { launchBrowser, openControlled, useAppAndBrowser } from './harness';
import { chooseLanguage, EVERY_LANGUAGE } from './languages';
import { everythingStored } from './stored';

const app = useAppAndBrowser();

const OTHER_PHONE = 'To use Dala on another phone, sign in there with your IIN and phone number.';

describe('a person not signed in', () => {
	it('is asked to sign in, and told how to use another phone', async () => {
		const { page } = app.browser;
		await openControlled(page, app.server.url);
		await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
		await page.getByRole('heading', { name: 'Your devices', level: 1 }).waitFor();
		await page.getByText('Sign in to see the devices signed in to your account.').waitFor();
		await page.getByRole('main').getByRole('link', { name: 'Sign in' }).waitFor();
		await page.getByText(OTHER_PHONE, { exact: false }).waitFor();
	});
});

describe('a person removes a lost phone', () => {
	it('lists both devices, and the removed one keeps nothing of the person', async () => {
		const person = personIin(70);
		const kept = await launchBrowser();
		const lost = await launchBrowser();
		try {
			const a = kept.page;
			const b = lost.page;
			await openControlled(b, app.server.url);
			await signIn(b, app.server, person, '72');
			const reference = await applyOnline(b);
			expect(await everythingStored(b)).toContain(reference);

			await openControlled(a, app.server.url);
			await signIn(a, app.server, person, '71');
			await a.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
			const list = a.getByRole('list');
			await list.getByText('Another device').waitFor();
			expect(await list.getByText('This device').count()).toBe(1);
			await a.getByText(OTHER_PHONE, { exact: false }).waitFor();
			// The lost phone synced when it sent its application.
			expect(await list.getByText(/^Last synced: /).count()).toBeGreaterThanOrEqual(1);
			for (const locale of EVERY_LANGUAGE) {
				await chooseLanguage(a, locale);
				expect(await seriousViolations(a, `devices (${locale})`)).toEqual([]);
			}

			await a.getByRole('button', { name: 'Remove' }).click();
			await a.getByText('Remove this device?', { exact: false }).waitFor();
			expect(await seriousViolations(a, 'devices, removing')).toEqual([]);
			await a.getByRole('button', { name: 'Yes, remove it' }).click();
			await expect.poll(() => list.getByText('Another device').count()).toBe(0);

			// The lost phone's next contact: told it was removed, it deletes everything.
			await b.getByRole('button', { name: 'Sync now' }).click();
			await b.getByRole('navigation').getByRole('link', { name: 'Sign in' }).waitFor();
			await expect
				.poll(async () => (await everythingStored(b)).includes(reference), { timeout: 15_000 })
				.toBe(false);
			expect(await everythingStored(b)).not.toContain(person);
		} finally {
			await kept.close();
			await lost.close();
		}
	});
});
