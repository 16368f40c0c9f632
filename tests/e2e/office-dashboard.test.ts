/**
 * The region's dashboard in Chromium: a citizen applies twice on their phone, a colleague
 * approves one over HTTP, and the reviewer's dashboard shows the service with one decided
 * of two received this week, and the other first among what waits longest, linked to its
 * page. axe on the dashboard in kk, ru and en.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findService } from '../../shared/services/catalog';
import { createStaffByCli, StaffDevice } from '../support/staff-device';
import { violationsInEveryLanguage } from './axe';
import { applyOnline, personIin, signIn } from './fill';
import { launchBrowser, openControlled, useAppAndBrowser, type Browser } from './harness';
import { chooseLanguage, messagesOf } from './languages';
import { enrolStaff, signInStaff } from './staff';

const t = messagesOf('en');

// The region of the answers fill.ts gives: its reviewers work the applications.
const REGION = 'turkistan';

let reviewerToken = '';
let colleagueToken = '';
const app = useAppAndBrowser({
	beforeServer: async (dataDir) => {
		const env = { DATA_DIR: dataDir, DATABASE_URL: '' };
		reviewerToken = await createStaffByCli(env, 'reviewer', REGION);
		colleagueToken = await createStaffByCli(env, 'reviewer', REGION);
	}
});
let phone: Browser;
beforeAll(async () => {
	phone = await launchBrowser();
});
afterAll(() => phone?.close());

describe('the office dashboard', () => {
	it('shows what was received and decided this week, and what waits longest', async () => {
		await openControlled(phone.page, app.server.url);
		await signIn(phone.page, app.server, personIin(600), '60');
		const refs: string[] = [];
		for (let i = 0; i < 2; i++) {
			await phone.page.getByRole('link', { name: 'Services' }).first().click();
			refs.push(await applyOnline(phone.page));
		}

		const { page } = app.browser;
		await page.setViewportSize({ width: 360, height: 740 });
		await signInStaff(page, app.server.url, await enrolStaff(page, app.server.url, reviewerToken));
		await page.getByRole('link', { name: refs[0] }).click();
		await page.getByRole('heading', { name: refs[0], level: 1 }).waitFor();
		const id = page.url().split('/').pop()!;
		const colleague = await StaffDevice.signIn(app.server.url, colleagueToken);
		const approved = await colleague.post(
			app.server.url,
			`/api/office/applications/${id}/decision`,
			{ status: 'approved', baseVersion: 1 }
		);
		expect(approved.status).toBe(200);

		await page.goto(`${app.server.url}/office/dashboard`);
		await chooseLanguage(page, 'en');
		await page.getByRole('heading', { name: t.dashboard_title, level: 1 }).waitFor();
		const title = findService('individual-entrepreneur')!.title.en;
		const table = page.getByRole('table', { name: title });
		// The week's column (the second): both received, one decided. Today's would be the
		// same but for a run across midnight in Kazakhstan.
		const week = async (row: string) =>
			table
				.getByRole('row', { name: new RegExp(`^${row}`) })
				.getByRole('cell')
				.nth(1)
				.innerText();
		await expect.poll(() => week(t.dashboard_received!)).toBe('2');
		expect(await week(t.dashboard_decided!)).toBe('1');
		expect(await week(t.dashboard_median!)).toMatch(/^\d+ min$/);

		const waiting = page
			.getByRole('list')
			.filter({ has: page.getByRole('link', { name: refs[1] }) });
		await expect(waiting.getByRole('link').allInnerTexts()).resolves.toEqual([refs[1]]);

		expect(await violationsInEveryLanguage(page, 'dashboard')).toEqual([]);

		await page.getByRole('link', { name: refs[1] }).click();
		await page.getByRole('heading', { name: refs[1], level: 1 }).waitFor();
	});
});
