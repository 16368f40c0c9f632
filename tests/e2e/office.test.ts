/**
 * The reviewer's office in Chromium: a citizen applies on their phone; the reviewer, signed
 * in with password and TOTP, finds the applications in the region's queue (oldest first,
 * by reference), takes one and asks for more information, approves one, rejects one with a
 * reason of the service's list, leaves a note for colleagues, and is shown what happened
 * when another reviewer decided first. axe on the queue and the application page in kk, ru and en.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffByCli, StaffDevice } from '../support/staff-device';
import { violationsInEveryLanguage } from './axe';
import { applyOnline, personIin, signIn } from './fill';
import { launchBrowser, openControlled, useAppAndBrowser, type Browser } from './harness';
import { messagesOf } from './languages';
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

const references = (page: Page) => page.locator('.item-reference').allInnerTexts();

async function open(page: Page, reference: string) {
	await page.getByRole('link', { name: reference }).click();
	await page.getByRole('heading', { name: reference, level: 1 }).waitFor();
}

async function decide(page: Page, choice: string) {
	await page.getByLabel(choice, { exact: true }).check();
}

async function record(page: Page) {
	await page.getByRole('button', { name: t.office_decide_submit }).click();
}

describe('the office', () => {
	it('finds, takes, asks, approves, rejects, and shows a decision another made first', async () => {
		await openControlled(phone.page, app.server.url);
		await signIn(phone.page, app.server, personIin(400), '40');
		const refs: string[] = [];
		for (let i = 0; i < 4; i++) {
			await phone.page.getByRole('link', { name: 'Services' }).first().click();
			refs.push(await applyOnline(phone.page));
		}

		const { page } = app.browser;
		await page.setViewportSize({ width: 360, height: 740 });
		const found: string[] = [];
		await signInStaff(page, app.server.url, await enrolStaff(page, app.server.url, reviewerToken));

		// Oldest first, each waiting for a decision.
		await expect.poll(() => references(page)).toEqual(refs);
		found.push(...(await violationsInEveryLanguage(page, 'queue')));

		// By reference, typed in any case; text that is neither is refused here.
		const search = page.getByLabel(t.office_search_label!);
		await search.fill('Seitkali');
		await page.getByRole('button', { name: t.office_search_submit }).click();
		await page.getByText(t.office_search_invalid!).waitFor();
		await search.fill(refs[2]!.toLowerCase());
		await page.getByRole('button', { name: t.office_search_submit }).click();
		await expect.poll(() => references(page)).toEqual([refs[2]]);
		await page.getByRole('link', { name: t.office_search_clear }).click();
		await expect.poll(() => references(page)).toEqual(refs);

		// The first: taken, then more information asked for one answer.
		await open(page, refs[0]!);
		// A café: the rule left it to a reviewer, and says why.
		await page.getByText(t.office_review_not_low_risk!).waitFor();
		await page.getByRole('button', { name: t.office_take }).click();
		await page.getByText('Taken by Test reviewer').waitFor();
		await page.getByText(t.state_in_review!, { exact: true }).waitFor();
		await record(page);
		await page.locator('.error-summary').getByText(t.office_error_choose!).waitFor();
		await decide(page, t.office_decide_ask!);
		await record(page);
		await page.locator('.error-summary').getByText(t.office_error_fields!).waitFor();
		await page.locator('.error-summary').getByText(t.office_error_message!).waitFor();
		found.push(...(await violationsInEveryLanguage(page, 'asking for more information')));
		await page.getByLabel('Business name', { exact: true }).check();
		await page.getByLabel(t.office_ask_message!).fill('The name must be as in the register.');
		await record(page);
		await page
			.getByText(t.office_decided_notice!.replace('{status}', t.state_more_information!))
			.waitFor();
		await page.getByRole('heading', { name: t.office_requested }).waitFor();
		await page.getByText('Decided: More information needed — Test reviewer').waitFor();
		// A note for colleagues, which the applicant never sees.
		await page.getByLabel(t.office_note_label!).fill('Phoned: the register spells it with Қ.');
		await page.getByRole('button', { name: t.office_note_add }).click();
		await page.getByText('Phoned: the register spells it with Қ.').waitFor();
		expect(await page.getByLabel(t.office_note_label!).inputValue()).toBe('');
		// Handed to the colleague of the region, who now holds it: it is not offered again.
		await page.getByLabel(t.office_hand_to!).selectOption({ label: 'Test reviewer' });
		await page.getByRole('button', { name: t.office_hand_submit }).click();
		await page.getByText(t.office_handed!.replace('{name}', 'Test reviewer')).waitFor();
		await expect.poll(() => page.getByLabel(t.office_hand_to!).count()).toBe(0);

		// The second: approved straight from the queue.
		await page.getByRole('link', { name: t.office_search_clear }).click();
		await open(page, refs[1]!);
		await decide(page, t.office_decide_approve!);
		await record(page);
		await page.getByText(t.office_decided_notice!.replace('{status}', t.state_approved!)).waitFor();

		// The third: rejected with the first reason of the service's list.
		await page.getByRole('link', { name: t.office_search_clear }).click();
		await open(page, refs[2]!);
		await decide(page, t.office_decide_reject!);
		found.push(...(await violationsInEveryLanguage(page, 'rejecting')));
		const reason = page.locator('#reject-reason input').first();
		const reasonText = await page.locator('#reject-reason label').first().innerText();
		await reason.check();
		await record(page);
		await page.getByText(t.office_decided_notice!.replace('{status}', t.state_rejected!)).waitFor();
		await page.getByText(reasonText, { exact: true }).waitFor();
		found.push(...(await violationsInEveryLanguage(page, 'rejected')));

		// The fourth: a colleague approves it while this page is open; rejecting then says so.
		await page.getByRole('link', { name: t.office_search_clear }).click();
		await open(page, refs[3]!);
		const colleague = await StaffDevice.signIn(app.server.url, colleagueToken);
		const id = page.url().split('/').pop()!;
		const approved = await colleague.post(
			app.server.url,
			`/api/office/applications/${id}/decision`,
			{ status: 'approved', baseVersion: 1 }
		);
		expect(approved.status).toBe(200);
		await decide(page, t.office_decide_reject!);
		await page.locator('#reject-reason input').first().check();
		await record(page);
		await page.getByText(t.office_conflict!.replace('{status}', t.state_approved!)).waitFor();
		await expect(page.getByRole('button', { name: t.office_decide_submit }).count()).resolves.toBe(
			0
		);

		// The queue now holds only what still waits: none of the four.
		await page.getByRole('link', { name: t.office_search_clear }).click();
		await expect.poll(() => references(page)).toEqual([]);
		expect(found).toEqual([]);
	});
});
