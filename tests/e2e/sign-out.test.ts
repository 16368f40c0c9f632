/**
 * Signing out of a shared phone (issue 21): unsent work is never lost silently — the page
 * says what has not been sent and offers to send it — and once signed out, nothing of the
 * person is left anywhere the browser keeps data: every IndexedDB database and store
 * (photos' blobs too), Cache Storage, localStorage and sessionStorage. The next person who
 * signs in on the same profile sees none of it.
 */
import { describe, expect, it } from 'vitest';
import {
	fillApplication,
	GOOD_ANSWERS,
	personIin,
	signIn,
	startApplication,
	submitApplication
} from './fill';
import { seriousViolations } from './axe';
import { openControlled, useAppAndBrowser } from './harness';
import { chooseLanguage, EVERY_LANGUAGE } from './languages';
import { everythingStored } from './stored';

const app = useAppAndBrowser();

describe('signing out of a shared phone', () => {
	it('warns of what was not sent, sends it, and leaves nothing of the person', async () => {
		const { page, context } = app.browser;
		const iin = personIin(60);
		const name = 'Тазабекова Жаңаргүл Сәкенқызы';
		await openControlled(page, app.server.url);
		await signIn(page, app.server, iin, '61');

		// Queued with no connection: the server does not have it yet.
		await context.setOffline(true);
		await page.goto(app.server.url);
		await startApplication(page);
		await fillApplication(page, { ...GOOD_ANSWERS, iin, fullName: name });
		await submitApplication(page);
		await page.getByRole('heading', { name: 'Application saved' }).waitFor();

		await page.getByRole('navigation').getByRole('link', { name: 'Sign out' }).click();
		await page.getByRole('heading', { name: 'Applications not sent yet: 1' }).waitFor();
		const sendNow = page.getByRole('button', { name: 'Send now' });
		expect(await sendNow.isDisabled()).toBe(true);
		await page.getByText('Sending needs a connection to the server.').waitFor();
		expect(await page.getByRole('button', { name: 'Delete them and sign out' }).count()).toBe(1);
		// The warning, in each language, for a screen reader and a keyboard.
		for (const locale of EVERY_LANGUAGE) {
			await chooseLanguage(page, locale);
			expect(await seriousViolations(page, `sign-out warning (${locale})`)).toEqual([]);
		}

		// Back online it goes (by itself, or at "Send now"), and then nothing is left to lose.
		await context.setOffline(false);
		const signOut = page.getByRole('main').getByRole('button', { name: 'Sign out' });
		await expect
			.poll(
				async () => {
					if ((await sendNow.count()) && (await sendNow.isEnabled())) await sendNow.click();
					return signOut.isVisible();
				},
				{ timeout: 30_000, interval: 500 }
			)
			.toBe(true);
		expect(await everythingStored(page)).toContain(name);

		await signOut.click();
		await page.waitForURL(`${app.server.url}/`);
		await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).waitFor();
		const stored = await everythingStored(page);
		expect(stored).not.toContain(iin);
		expect(stored).not.toContain(name);

		// The next person on this phone: none of the first person's applications.
		await signIn(page, app.server, personIin(61), '62');
		await page.getByRole('navigation').getByRole('link', { name: 'My applications' }).click();
		await page.getByRole('button', { name: 'Sync now' }).click();
		await expect.poll(() => page.getByRole('button', { name: 'Sync now' }).isEnabled()).toBe(true);
		expect(await page.getByText(name).count()).toBe(0);
		expect(await everythingStored(page)).not.toContain(name);
	});
});
