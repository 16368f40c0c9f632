/**
 * Revoking an issued document (issue 23): the region's reviewer revokes a registration
 * notice from the office page, with a reason; the holder's phone shows it with its next
 * sync and no longer offers to print it; a checker's phone that had found it genuine says
 * "revoked (as of the list of …)" online, and offline from the list it kept, and a
 * rolled-back list handed to it online changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffByCli } from '../support/staff-device';
import { violationsInEveryLanguage } from './axe';
import {
	fillApplication,
	GOOD_ANSWERS,
	LOW_RISK_ACTIVITY,
	personIin,
	signIn,
	startApplication,
	submitApplication
} from './fill';
import { launchBrowser, openControlled, useAppAndBrowser, type Browser } from './harness';
import { enrolStaff, signInStaff } from './staff';
import { documentOnPhone } from './stored';
import type { Page } from 'playwright-core';

// GOOD_ANSWERS' region: its reviewer may revoke the registration.
const REGION = 'turkistan';
const REASON = 'Registered on an identity card reported stolen';

let reviewerToken = '';
const app = useAppAndBrowser({
	beforeServer: async (dataDir) => {
		reviewerToken = await createStaffByCli(
			{ DATA_DIR: dataDir, DATABASE_URL: '' },
			'reviewer',
			REGION
		);
	}
});

let applicationId = '';
let code = '';
let checker: Browser;
let phoneListBefore = '';

/** The revocation list a phone keeps (its signed text, and when fetched), read in the page. */
const keptList = (page: Page) =>
	page.evaluate(() => JSON.parse(localStorage.getItem('dala.revocation-list') ?? 'null'));

beforeAll(async () => {
	const { page } = app.browser;
	await openControlled(page, app.server.url);
	await signIn(page, app.server, personIin(250), '66');
	await startApplication(page);
	await fillApplication(page, { ...GOOD_ANSWERS, activity: LOW_RISK_ACTIVITY });
	await submitApplication(page);
	await page.getByRole('heading', { name: 'Approved', level: 1 }).waitFor({ timeout: 20_000 });
	applicationId = page.url().split('/').pop()!;
	await page.getByRole('link', { name: 'View and print the document' }).click();
	await page.locator('.document').waitFor();
	code = await documentOnPhone(page);
	// The holder checks their own paper once, online: the page stays on this phone for
	// checking offline, with the revocation list, which every sync refreshes from then.
	await page.goto(`${app.server.url}/verify`);
	await page.waitForFunction(() => localStorage.getItem('dala.revocation-list') !== null);
	phoneListBefore = (await keptList(page)).text;
	checker = await launchBrowser();
	await openControlled(checker.page, `${app.server.url}/verify`);
}, 90_000);

afterAll(async () => {
	await checker?.close();
});

/** Pastes `text` on /verify and checks it; the verdict's heading. */
async function verdict(page: Page, text: string): Promise<string> {
	await page.getByLabel('Text of the code').fill(text);
	await page.getByRole('button', { name: 'Check', exact: true }).click();
	const heading = page
		.getByRole('region', { name: 'Result of the check' })
		.getByRole('heading', { level: 2 });
	await heading.waitFor();
	return (await heading.textContent())!.trim();
}

describe('a revoked document', () => {
	let listBefore: unknown;

	it('is genuine to a checker before, checked against the revocation list', async () => {
		expect(await verdict(checker.page, code)).toBe('Genuine');
		await checker.page.getByText(/^Checked against the list of revoked documents of /).waitFor();
		expect(await keptList(checker.page)).not.toBeNull();
		// The list as the server hands it now: what a rolled-back answer would hand again.
		listBefore = await checker.page.evaluate(() =>
			fetch('/api/documents/revoked').then((r) => r.json())
		);
	});

	it('is revoked by the region’s reviewer from the office page, with a reason', async () => {
		const office = await launchBrowser();
		try {
			const { page } = office;
			await signInStaff(
				page,
				app.server.url,
				await enrolStaff(page, app.server.url, reviewerToken)
			);
			await page.goto(`${app.server.url}/office/applications/${applicationId}`);
			await page.getByRole('heading', { name: 'Issued document' }).waitFor();
			await page.getByText(/^No\. DLD-\d{7}, issued /).waitFor();
			// No reason, no revocation: the holder must be told why.
			await page.getByRole('button', { name: 'Revoke the document' }).click();
			await page.getByText('Say why the document is revoked.').waitFor();
			await page.getByLabel('Reason for revoking the document').fill(REASON);
			await page.getByRole('button', { name: 'Revoke the document' }).click();
			await page.getByRole('status').filter({ hasText: 'The document was revoked.' }).waitFor();
			await page.getByText(/^Revoked /).waitFor();
			await page.getByText(REASON).waitFor();
			expect(await page.getByRole('button', { name: 'Revoke the document' }).count()).toBe(0);
			// The history says who; the rule's own decision says it was the rule's.
			await page.getByText(/Document revoked — /).waitFor();
			await page.getByText(/Decided: Approved — automatic rule/).waitFor();
			expect(await violationsInEveryLanguage(page, 'office, revoked document')).toEqual([]);
		} finally {
			await office.close();
		}
	});

	it('reaches the holder’s phone with its next sync, and is no longer offered for printing', async () => {
		const { page, context } = app.browser;
		await page.goto(`${app.server.url}/applications/${applicationId}`);
		await page.getByRole('button', { name: 'Sync now' }).click();
		await page.getByRole('heading', { name: 'Your document has been revoked' }).waitFor();
		await page.getByText(REASON).waitFor();
		// And the newer revocation list: once the pass has fetched it, checked on this phone
		// with no network, the document is revoked.
		await page.waitForFunction((before) => {
			const fetched = localStorage.getItem('dala.revocation-list.fetched');
			return fetched !== null && JSON.parse(fetched).text !== before;
		}, phoneListBefore);
		await context.setOffline(true);
		try {
			await page.goto(`${app.server.url}/verify`);
			expect(await verdict(page, code)).toBe('Revoked');
			await page.getByText(/^Revoked as of the list of revoked documents of /).waitFor();
			expect((await keptList(page)).text).not.toBe(phoneListBefore);
		} finally {
			await context.setOffline(false);
		}
		await page.goto(`${app.server.url}/applications/${applicationId}`);
		await page.getByRole('link', { name: 'View the document' }).click();
		await page.getByRole('heading', { name: 'Your document has been revoked' }).waitFor();
		expect(await page.getByRole('button', { name: 'Print or save as PDF' }).count()).toBe(0);
		// Across the document itself, so a screenshot of it does not pass for one in force.
		expect(await page.locator('.document .stamp').textContent()).toBe('Revoked');
		expect(await violationsInEveryLanguage(page, 'phone, revoked document')).toEqual([]);
	});

	it('is revoked to the checker online, offline from the kept list, and a rolled-back list changes nothing', async () => {
		const { page, context } = checker;
		expect(await verdict(page, code)).toBe('Revoked');
		await page.getByText(/^Revoked as of the list of revoked documents of /).waitFor();
		await page.getByText('The register says this document has been revoked.').waitFor();
		const kept = await keptList(page);

		// Someone between the phone and the server hands back the list from before.
		await context.route('**/api/documents/revoked', (route) => route.fulfill({ json: listBefore }));
		try {
			expect(await verdict(page, code)).toBe('Revoked');
			await page.getByText(/^Revoked as of the list of revoked documents of /).waitFor();
			expect(await keptList(page)).toEqual(kept);
		} finally {
			await context.unroute('**/api/documents/revoked');
		}

		await context.setOffline(true);
		try {
			await page.reload();
			expect(await verdict(page, code)).toBe('Revoked');
			await page.getByText(/^Revoked as of the list of revoked documents of /).waitFor();
			// Offline: nothing from the register, the list kept is the answer.
			expect(await page.getByText('The register says').count()).toBe(0);
			expect(await violationsInEveryLanguage(page, 'verify, revoked')).toEqual([]);
		} finally {
			await context.setOffline(false);
		}
	});
});
