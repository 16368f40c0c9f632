/**
 * The administrator's page in Chromium: an administrator made by the command signs in,
 * makes a reviewer (the command's rules, a taken login said plainly), the reviewer sets a
 * password from the link shown and signs in on a computer of their own; the administrator
 * sees their device, then disables them, and the reviewer's office sends them to sign in.
 * axe in kk, ru and en.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffByCli } from '../support/staff-device';
import { violationsInEveryLanguage } from './axe';
import { launchBrowser, useAppAndBrowser, type Browser } from './harness';
import { messagesOf } from './languages';
import { enrolStaff, signInStaff } from './staff';

const t = messagesOf('en');

let adminToken = '';
const app = useAppAndBrowser({
	beforeServer: async (dataDir) => {
		adminToken = await createStaffByCli(
			{ DATA_DIR: dataDir, DATABASE_URL: '' },
			'administrator',
			'national'
		);
	}
});
let other: Browser;
beforeAll(async () => {
	other = await launchBrowser();
});
afterAll(() => other?.close());

describe('the administrator’s page', () => {
	it('makes a reviewer who signs in, lists their device, disables them', async () => {
		const { page } = app.browser;
		await page.setViewportSize({ width: 360, height: 740 });
		const found: string[] = [];
		await signInStaff(page, app.server.url, await enrolStaff(page, app.server.url, adminToken));
		await page.getByRole('heading', { name: t.admin_title, level: 1 }).waitFor();

		const make = page.getByRole('button', { name: t.admin_add_submit });
		await page.getByLabel(t.admin_login_label!).fill('Not A Login');
		await make.click();
		await page.getByText(t.admin_error_name!).waitFor();
		await page.getByText(t.admin_error_login!).waitFor();
		found.push(...(await violationsInEveryLanguage(page, 'new staff, errors')));

		await page.getByLabel(t.admin_name_label!).fill('Aigerim Seitkali');
		await page.getByLabel(t.admin_role_label!).selectOption('reviewer');
		await page.getByLabel(t.admin_region_label!).selectOption('turkistan');
		await page.getByLabel(t.admin_login_label!).fill('aigerim.s');
		await make.click();
		const link = await page.locator('.link code').innerText();
		expect(link).toMatch(new RegExp(`^${app.server.url}/staff/set-password#ds_`));
		found.push(...(await violationsInEveryLanguage(page, 'staff made')));

		await page.getByLabel(t.admin_name_label!).fill('Someone else');
		await page.getByLabel(t.admin_login_label!).fill('aigerim.s');
		await make.click();
		await page.getByText(t.admin_error_login_taken!).waitFor();

		// The reviewer, on a computer of their own, from the link.
		const reviewer = other.page;
		await signInStaff(
			reviewer,
			app.server.url,
			await enrolStaff(reviewer, app.server.url, link.split('#')[1]!)
		);
		await reviewer.getByRole('heading', { name: t.office_title, level: 1 }).waitFor();

		// Their device is listed; then they are disabled.
		await page.reload();
		const member = page.locator('.staff > li', { hasText: 'aigerim.s' });
		await member.getByText(t.admin_state_active!).waitFor();
		await member.getByRole('button', { name: 'Devices of Aigerim Seitkali' }).click();
		await member.getByRole('button', { name: t.admin_revoke }).waitFor();
		await member.getByRole('button', { name: 'Disable Aigerim Seitkali' }).click();
		found.push(...(await violationsInEveryLanguage(page, 'disabling')));
		await member.getByRole('button', { name: t.admin_disable_yes }).click();
		await member.getByText(t.admin_state_disabled!).waitFor();

		// The reviewer's office no longer works for them: to sign in, which refuses them.
		await reviewer.goto(`${app.server.url}/office`);
		await reviewer.getByRole('heading', { name: t.staff_signin_title, level: 1 }).waitFor();
		expect(found).toEqual([]);
	});
});
