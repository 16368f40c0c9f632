/**
 * A member of staff in the browser, as a new reviewer goes: the administrator's link
 * opened, TOTP enrolled from the key the page shows, a password set, then signed in.
 */
import type { Page } from 'playwright-core';
import { totpCode, totpStep } from '../../sync-server/accounts/totp';
import { chooseLanguage, messagesOf } from './languages';

const t = messagesOf('en');

export const STAFF_PASSWORD = 'four words nobody guesses';

export interface StaffCredentials {
	login: string;
	secret: string;
	/** The last TOTP step used: a code works once, so the next sign-in takes a later one. */
	step: number;
}

/** Opens the set-password link and sets the password, in English. */
export async function enrolStaff(
	page: Page,
	url: string,
	token: string
): Promise<StaffCredentials> {
	await page.goto(`${url}/staff/set-password#${token}`);
	await chooseLanguage(page, 'en');
	const login = await page.locator('.who code').innerText();
	const secret = (await page.locator('.key code').innerText()).replace(/\s/g, '');
	const step = totpStep(Date.now());
	await page.getByLabel(t.staff_password_label!, { exact: true }).fill(STAFF_PASSWORD);
	await page.getByLabel(t.staff_password_again_label!).fill(STAFF_PASSWORD);
	await page.getByLabel(t.staff_totp_label!).fill(totpCode(secret, step));
	await page.getByRole('button', { name: t.staff_setpw_submit }).click();
	await page.getByRole('heading', { name: t.staff_setpw_done_title }).waitFor();
	return { login, secret, step };
}

/** Signs in on /staff/sign-in with the next code; the queue (or, for administrators, the staff page) opens. */
export async function signInStaff(
	page: Page,
	url: string,
	credentials: StaffCredentials
): Promise<void> {
	credentials.step = Math.max(credentials.step + 1, totpStep(Date.now()));
	await page.goto(`${url}/staff/sign-in`);
	await page.getByLabel(t.staff_login_label!).fill(credentials.login);
	await page.getByLabel(t.staff_password_label!).fill(STAFF_PASSWORD);
	await page.getByLabel(t.staff_totp_label!).fill(totpCode(credentials.secret, credentials.step));
	await page.getByRole('button', { name: t.staff_signin_submit }).click();
	await page.waitForURL(/\/(office|admin)$/);
}
