/**
 * The staff pages in Chromium, as a new reviewer meets them: the administrator's
 * set-password link (TOTP enrolled from the key shown, confirmed by a first code), signing
 * in, the lockout after too many tries, and the spent link. axe on every page in kk, ru
 * and en. The office keeps nothing in the citizen's database and installs no worker.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../sync-server/accounts/totp';
import { createStaffByCli } from '../support/staff-device';
import { violationsInEveryLanguage } from './axe';
import { useAppAndBrowser } from './harness';
import { chooseLanguage, messagesOf } from './languages';

const t = messagesOf('en');

const PASSWORD = 'four words nobody guesses';

let token = '';
const app = useAppAndBrowser({
	beforeServer: async (dataDir) => {
		token = await createStaffByCli(
			{ DATA_DIR: dataDir, DATABASE_URL: '' },
			'reviewer',
			'turkistan'
		);
	}
});

const summary = (page: Page) => page.locator('.error-summary');

describe('staff pages', () => {
	it('enrols TOTP from the link, signs in, locks out after too many tries', async () => {
		const { page } = app.browser;
		await page.setViewportSize({ width: 360, height: 740 });
		const found: string[] = [];

		// The link the admin command printed.
		await page.goto(`${app.server.url}/staff/set-password#${token}`);
		await chooseLanguage(page, 'en');
		await page.getByRole('heading', { name: t.staff_setpw_title, level: 1 }).waitFor();
		await page.getByText('Test reviewer').waitFor();
		// The token leaves the address at once: not in the history, not on a screenshot.
		expect(page.url()).toBe(`${app.server.url}/staff/set-password`);
		const loginName = await page.locator('.who code').innerText();
		expect(loginName).toMatch(/^reviewer-/);
		const secret = (await page.locator('.key code').innerText()).replace(/\s/g, '');
		expect(secret).toMatch(/^[A-Z2-7]{32}$/);
		await page.getByRole('img', { name: t.staff_setpw_qr_label }).waitFor();
		found.push(...(await violationsInEveryLanguage(page, 'set password')));

		const submit = page.getByRole('button', { name: t.staff_setpw_submit });
		await submit.click();
		await summary(page).getByText(t.staff_error_password_required!).waitFor();
		await summary(page).getByText(t.staff_error_totp_required!).waitFor();

		await page.getByLabel(t.staff_password_label!, { exact: true }).fill('too short');
		await page.getByLabel(t.staff_totp_label!).fill('12345');
		await submit.click();
		await summary(page).getByText(t.staff_error_password_short!).waitFor();
		await summary(page).getByText(t.staff_error_totp_format!).waitFor();

		await page.getByLabel(t.staff_password_label!, { exact: true }).fill(PASSWORD);
		await page.getByLabel(t.staff_password_again_label!).fill(`${PASSWORD}!`);
		await submit.click();
		await summary(page).getByText(t.staff_error_passwords_differ!).waitFor();
		found.push(...(await violationsInEveryLanguage(page, 'set password, errors')));

		const step = totpStep(Date.now());
		const wrong = totpCode(secret, step + 5);
		await page.getByLabel(t.staff_password_again_label!).fill(PASSWORD);
		await page.getByLabel(t.staff_totp_label!).fill(wrong);
		await submit.click();
		await summary(page).getByText(t.staff_error_wrong_totp!).waitFor();

		await page.getByLabel(t.staff_totp_label!).fill(totpCode(secret, step));
		await submit.click();
		await page.getByRole('heading', { name: t.staff_setpw_done_title }).waitFor();
		found.push(...(await violationsInEveryLanguage(page, 'password set')));

		await page.getByRole('link', { name: t.staff_setpw_go_sign_in }).click();
		await page.getByRole('heading', { name: t.staff_signin_title, level: 1 }).waitFor();
		found.push(...(await violationsInEveryLanguage(page, 'staff sign-in')));
		const login = page.getByLabel(t.staff_login_label!);
		const password = page.getByLabel(t.staff_password_label!);
		const code = page.getByLabel(t.staff_totp_label!);
		const signIn = page.getByRole('button', { name: t.staff_signin_submit });

		// 1: a wrong password; the form does not say which of the three was wrong.
		await login.fill(loginName);
		await password.fill('not the password at all');
		await code.fill(totpCode(secret, step + 1));
		await signIn.click();
		await summary(page).getByText(t.staff_error_sign_in_failed!).waitFor();
		expect(await password.inputValue()).toBe('');
		found.push(...(await violationsInEveryLanguage(page, 'staff sign-in, refused')));

		// 2: right; the office says who is signed in.
		await password.fill(PASSWORD);
		await code.fill(totpCode(secret, step + 1));
		await signIn.click();
		await page.getByRole('heading', { name: t.office_title, level: 1 }).waitFor();
		await page.getByText('Signed in as Test reviewer: reviewer, Turkistan Region.').waitFor();
		found.push(...(await violationsInEveryLanguage(page, 'office')));

		// The office touched nothing of the citizen's app: no database, no worker.
		const stored = await page.evaluate(async () => ({
			databases: (await indexedDB.databases()).map((d) => d.name),
			workers: (await navigator.serviceWorker.getRegistrations()).length
		}));
		expect(stored).toEqual({ databases: ['dala-office'], workers: 0 });

		await page.getByRole('button', { name: t.nav_sign_out }).click();
		await page.getByRole('heading', { name: t.staff_signin_title, level: 1 }).waitFor();

		// 3–5 wrong, then the sixth try within the quarter hour is refused with its time.
		for (let attempt = 3; attempt <= 6; attempt++) {
			await login.fill(loginName);
			await password.fill(`wrong ${attempt}`);
			await code.fill('000000');
			await Promise.all([page.waitForResponse(/\/api\/accounts\/staff\/sign-in$/), signIn.click()]);
			const expected = attempt < 6 ? t.staff_error_sign_in_failed! : 'Too many attempts.';
			await summary(page).getByText(expected).waitFor();
		}
		await expect
			.poll(() => summary(page).innerText())
			.toMatch(/You can try again at .+ \(in 1[45] min\)/);

		// The link is spent.
		await page.goto(`${app.server.url}/staff/set-password#${token}`);
		await page.getByText(t.staff_error_invalid_link!).waitFor();
		found.push(...(await violationsInEveryLanguage(page, 'spent link')));

		expect(found).toEqual([]);
	});
});
