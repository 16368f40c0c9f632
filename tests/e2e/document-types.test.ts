/**
 * Every kind of document the phone prints, besides the entrepreneur's notice (documents
 * .test.ts): the tax declaration's acceptance notice, issued by rule as it syncs; the trade
 * outlet permit and the birth certificate, issued once the region's reviewer approves them
 * through the office API. Each reaches the phone by its own sync, renders its template (its
 * name as the heading in each language, its number, the body that issued it), and passes
 * axe in kk, ru and en; the birth certificate's holder is the child.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInKazakhstan } from '../../shared/dates';
import { AUTHORITY_NAMES } from '../../shared/documents/authorities';
import { templateOf } from '../../shared/documents/templates';
import { birthRegistration } from '../../shared/services/birth-registration';
import type { ServiceDefinition } from '../../shared/services/definition';
import { simplifiedTaxDeclaration } from '../../shared/services/simplified-tax-declaration';
import { tradeOutletPermit } from '../../shared/services/trade-outlet-permit';
import { GOOD_BIRTH, GOOD_PERMIT, GOOD_TAX, MOTHER_IIN } from '../support/service-answers';
import { createStaffByCli, StaffDevice } from '../support/staff-device';
import { seriousViolations } from './axe';
import { personIin, signIn } from './fill';
import { openControlled, useAppAndBrowser } from './harness';
import { chooseLanguage, EVERY_LANGUAGE } from './languages';
import { walkSteps } from './walk';

// The region the permit's site and the child's birthplace are in: its reviewer decides them.
const REGION = 'turkistan';

let setPasswordToken = '';
const app = useAppAndBrowser({
	beforeServer: async (dataDir) => {
		setPasswordToken = await createStaffByCli(
			{ DATA_DIR: dataDir, DATABASE_URL: '' },
			'reviewer',
			REGION
		);
	}
});

let reviewer: StaffDevice;
beforeAll(async () => {
	reviewer = await StaffDevice.signIn(app.server.url, setPasswordToken);
	const { page } = app.browser;
	await openControlled(page, app.server.url);
	await signIn(page, app.server, personIin(240), '64');
}, 60_000);

/**
 * Fills `service`'s form online from the catalogue and sends it; resolves with the
 * application's id once the server has answered with `headline`.
 */
async function apply(
	page: Page,
	service: ServiceDefinition,
	answers: Record<string, string>,
	headline: 'Application received' | 'Approved'
): Promise<string> {
	await page.goto(app.server.url);
	await page.getByRole('button', { name: `Start : ${service.title.en}`, exact: true }).click();
	await walkSteps(page, service, service.steps, answers);
	await page.getByRole('heading', { name: 'Check your answers before sending' }).waitFor();
	await page.getByRole('button', { name: 'Accept and send' }).click();
	await page.getByRole('heading', { name: headline, level: 1 }).waitFor({ timeout: 30_000 });
	return page.url().split('/').pop()!;
}

/** The region's reviewer approves the application as received (version 1), over the office API. */
async function approve(id: string): Promise<void> {
	const response = await reviewer.post(app.server.url, `/api/office/applications/${id}/decision`, {
		status: 'approved',
		baseVersion: 1
	});
	expect(response.status, await response.clone().text()).toBe(200);
}

/**
 * From the application's page once approved on the phone, its document: its template's
 * name as the heading and axe's serious findings in each language (English last), its
 * number and issuing body. Resolves with the document's text and axe's findings.
 */
async function documentOf(
	page: Page,
	service: ServiceDefinition
): Promise<{ shown: string; violations: string[] }> {
	await page.getByRole('heading', { name: 'Your document is ready' }).waitFor();
	await page.getByRole('link', { name: 'View and print the document' }).click();
	const violations: string[] = [];
	for (const locale of EVERY_LANGUAGE) {
		await chooseLanguage(page, locale);
		await page.getByRole('heading', { name: service.issues.name[locale], level: 1 }).waitFor();
		violations.push(...(await seriousViolations(page, `${service.id} document (${locale})`)));
	}
	const shown = (await page.locator('.document').textContent())!;
	expect(shown).toMatch(/№ DLD-\d{7}/);
	expect(shown).toContain(AUTHORITY_NAMES[templateOf(service.id)!.authority].en);
	// Never the phone number (+7 701 …) on a document. (Its lines only: the check's address
	// has a port.)
	expect(await page.locator('.document dl').allTextContents()).not.toContainEqual(
		expect.stringContaining('701')
	);
	return { shown, violations };
}

/** The value a document's line `label` shows, as the page lists it (dt, then dd). */
function line(page: Page, label: string): Promise<string | null> {
	return page
		.locator('.document dl > div')
		.filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
		.locator('dd')
		.textContent();
}

describe('each document type on the phone', () => {
	it('a tax declaration accepted by rule: its acceptance notice', async () => {
		const { page } = app.browser;
		// The tax worked out from the rate table, as declared: accepted in the sync that sends it.
		await apply(page, simplifiedTaxDeclaration, GOOD_TAX, 'Approved');
		const { shown, violations } = await documentOf(page, simplifiedTaxDeclaration);
		expect(violations).toEqual([]);
		expect(await line(page, 'Holder')).toBe(GOOD_TAX.fullName);
		expect(shown).toContain(GOOD_TAX.iin);
	});

	it('a trade outlet permit, approved by the region’s reviewer', async () => {
		const { page } = app.browser;
		const today = todayInKazakhstan();
		const endDate = addDays(today, 180);
		const answers = { ...GOOD_PERMIT, startDate: addDays(today, 7), endDate };
		// The photos are taken in the form (walk.ts) and uploaded before the application goes.
		const id = await apply(page, tradeOutletPermit, answers, 'Application received');
		await approve(id);
		await page.getByRole('button', { name: 'Sync now' }).click();
		await page.getByRole('heading', { name: 'Approved', level: 1 }).waitFor({ timeout: 15_000 });
		const { shown, violations } = await documentOf(page, tradeOutletPermit);
		expect(violations).toEqual([]);
		expect(await line(page, 'Holder')).toBe(GOOD_PERMIT.fullName);
		const [y, m, d] = endDate.split('-');
		expect(await line(page, 'Valid until')).toBe(`${d}.${m}.${y}`);
		// The inspector's description of the site stays in the file, off the permit.
		expect(shown).not.toContain(GOOD_PERMIT.siteDescription);
	});

	it('a birth registration, approved by the region’s reviewer: the certificate is the child’s', async () => {
		const { page } = app.browser;
		const answers = { ...GOOD_BIRTH, childBirthDate: addDays(todayInKazakhstan(), -3) };
		const id = await apply(page, birthRegistration, answers, 'Application received');
		await approve(id);
		await page.getByRole('button', { name: 'Sync now' }).click();
		await page.getByRole('heading', { name: 'Approved', level: 1 }).waitFor({ timeout: 15_000 });
		const { shown, violations } = await documentOf(page, birthRegistration);
		expect(violations).toEqual([]);
		// The child holds it: by the child's name, with no IIN of its own yet.
		expect(await line(page, 'Holder')).toBe(
			`${GOOD_BIRTH.childSurname} ${GOOD_BIRTH.childGivenName}`
		);
		expect(await page.locator('.document dt', { hasText: 'Holder’s IIN' }).count()).toBe(0);
		// Checked online by the mother's IIN; the medical record stays the registry's.
		expect(await page.locator('.document .check').textContent()).toContain(MOTHER_IIN);
		expect(shown).not.toContain(GOOD_BIRTH.medicalRecordNumber);
	});
});
