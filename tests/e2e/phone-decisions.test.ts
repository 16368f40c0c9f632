import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import { addDays, todayInKazakhstan } from '../../shared/dates';
import { tradeOutletPermit } from '../../shared/services/trade-outlet-permit';
import { GOOD_PERMIT } from '../support/service-answers';
import { applyOnline, GOOD_ANSWERS, personIin, signIn } from './fill';
import { openControlled, useAppAndBrowser } from './harness';
import { chooseLanguage, EVERY_LANGUAGE } from './languages';
import { photoFile, walkSteps } from './walk';
import { createStaffByCli, StaffDevice } from '../support/staff-device';

// The region GOOD_ANSWERS name (fill.ts): only its reviewers decide the application.
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
	await signIn(page, app.server, personIin(140), '23');
});

/** A decision of the region's reviewer, signed in as themselves, through the office API. */
async function decide(id: string, body: Record<string, unknown>): Promise<void> {
	const response = await reviewer.post(
		app.server.url,
		`/api/office/applications/${id}/decision`,
		body
	);
	expect(response.status, await response.clone().text()).toBe(200);
}

/** Pulls now and waits for the headline the decision leads to. */
async function pullUntil(page: Page, headline: string): Promise<void> {
	await page.getByRole('button', { name: 'Sync now' }).click();
	await page.getByRole('heading', { name: headline, level: 1 }).waitFor({ timeout: 15_000 });
}

/** axe on the page as it stands in every language, `heading` naming it in each; ends in English. */
async function accessibleInEveryLanguage(
	page: Page,
	where: string,
	heading: Record<(typeof EVERY_LANGUAGE)[number], string>
): Promise<void> {
	for (const locale of EVERY_LANGUAGE) {
		await chooseLanguage(page, locale);
		await page.getByRole('heading', { name: heading[locale], level: 1 }).waitFor();
		expect(await seriousViolations(page, `${where} (${locale})`)).toEqual([]);
		// Long words in large type must not push the page sideways on a 360 px phone.
		expect(
			await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
			`${where} (${locale}) scrolls sideways`
		).toBe(true);
	}
}

describe('a decision on the applicant’s phone', () => {
	it('asks for more information, answered offline and sent once online, then approved', async () => {
		const { page, context } = app.browser;
		await applyOnline(page);
		const id = page.url().split('/').pop()!;

		await decide(id, {
			status: 'more_information',
			fields: ['tradeName'],
			message: 'Атауы тіркеу куәлігіне сәйкес емес',
			baseVersion: 1
		});
		await pullUntil(page, 'More information needed');

		// Once pulled, the request needs no network: read, answered and queued offline.
		await context.setOffline(true);
		await page.reload();
		await page.getByRole('heading', { name: 'More information needed', level: 1 }).waitFor();
		expect(await page.getByText('Атауы тіркеу куәлігіне сәйкес емес').isVisible()).toBe(true);
		const asked = page.getByRole('list').filter({ hasText: 'Business name' });
		expect(await asked.getByRole('listitem').allTextContents()).toEqual(['Business name']);
		expect(await page.getByRole('button', { name: 'Correct your answers' }).count()).toBe(0);
		await accessibleInEveryLanguage(page, 'more information', {
			kk: 'Қосымша мәлімет қажет',
			ru: 'Нужны дополнительные сведения',
			en: 'More information needed'
		});

		// The list says which application waits for the person.
		await page.getByRole('link', { name: 'My applications' }).first().click();
		const item = page.getByRole('listitem').filter({ hasText: 'DL-2026-' });
		await item.getByText('More information needed').waitFor();
		await item.getByRole('link', { name: 'Register as an individual entrepreneur' }).click();

		await page.getByRole('button', { name: 'Answer', exact: true }).click();
		// Straight to the step holding the asked field, which says it was asked.
		await page.getByRole('heading', { name: 'Your business', level: 1 }).waitFor();
		const name = page.getByLabel('Business name', { exact: true });
		await expect
			.poll(() => name.getAttribute('aria-describedby'))
			.toContain('field-tradeName-asked');
		expect(await page.getByText('Asked again by the office').isVisible()).toBe(true);
		await name.fill('ЖК Сейтқали и партнёры');
		// The steps holding no asked field are not visited on the way.
		await page.getByRole('button', { name: 'Continue' }).click();
		await page
			.getByRole('heading', { name: 'Check your correction before sending', level: 1 })
			.waitFor();
		await page.getByRole('button', { name: 'Send correction' }).click();
		await page.getByText('Your correction is saved on this device').waitFor();
		expect(await page.getByText('Waiting to send: 1').isVisible()).toBe(true);
		expect(await page.getByRole('button', { name: 'Answer', exact: true }).count()).toBe(0);

		// Online, it is sent; the answer puts the application back in review.
		await context.setOffline(false);
		await page.getByRole('button', { name: 'Sync now' }).click();
		await page
			.getByRole('heading', { name: 'Application received', level: 1 })
			.waitFor({ timeout: 15_000 });
		expect(await page.getByText('Under review').first().isVisible()).toBe(true);
		expect(await page.getByText('ЖК Сейтқали и партнёры').isVisible()).toBe(true);

		// Versions: 1 received, 2 asked, 3 answered.
		await decide(id, { status: 'approved', baseVersion: 3 });
		await pullUntil(page, 'Approved');
		const timeline = page.getByRole('region', { name: 'What has happened' });
		expect(await timeline.getByRole('listitem').allInnerTexts()).toEqual([
			expect.stringMatching(/^Made on this phone\n./),
			expect.stringMatching(/^Received\n./),
			expect.stringMatching(/^Approved\n./)
		]);
		await accessibleInEveryLanguage(page, 'approved', {
			kk: 'Мақұлданды',
			ru: 'Одобрено',
			en: 'Approved'
		});
	});

	it('shows a rejection’s reason in the person’s language and starts again from its answers', async () => {
		const { page } = app.browser;
		await page.getByRole('link', { name: 'Services' }).first().click();
		await applyOnline(page);
		const id = page.url().split('/').pop()!;

		await decide(id, {
			status: 'rejected',
			reasonCode: 'activity_not_allowed',
			reason: 'Қызмет түрі лицензияны талап етеді',
			baseVersion: 1
		});
		await pullUntil(page, 'Rejected');
		expect(
			await page
				.getByText('This activity cannot be carried out as an individual entrepreneur.')
				.isVisible()
		).toBe(true);
		expect(await page.getByText('Қызмет түрі лицензияны талап етеді').isVisible()).toBe(true);

		await chooseLanguage(page, 'kk');
		expect(
			await page.getByText('Бұл қызмет түрін жеке кәсіпкер ретінде жүргізуге болмайды.').isVisible()
		).toBe(true);
		await chooseLanguage(page, 'ru');
		expect(
			await page
				.getByText('Этот вид деятельности нельзя вести как индивидуальный предприниматель.')
				.isVisible()
		).toBe(true);
		await accessibleInEveryLanguage(page, 'rejected', {
			kk: 'Бас тартылды',
			ru: 'Отказано',
			en: 'Rejected'
		});

		await page.getByRole('button', { name: 'Start a new application with these answers' }).click();
		await page.getByRole('heading', { name: 'About you', level: 1 }).waitFor();
		expect(await page.getByLabel('Full name', { exact: true }).inputValue()).toBe(
			GOOD_ANSWERS.fullName
		);
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.getByRole('heading', { name: 'Your business', level: 1 }).waitFor();
		expect(await page.getByLabel('Business name', { exact: true }).inputValue()).toBe(
			GOOD_ANSWERS.businessName
		);
	});

	it('refuses an answer the office overtook with a rejection, and says so beside it', async () => {
		const { page, context } = app.browser;
		await page.getByRole('link', { name: 'Services' }).first().click();
		await applyOnline(page);
		const id = page.url().split('/').pop()!;
		await decide(id, {
			status: 'more_information',
			fields: ['tradeName'],
			message: 'Атауын тексеріңіз',
			baseVersion: 1
		});
		await pullUntil(page, 'More information needed');

		await context.setOffline(true);
		await page.getByRole('button', { name: 'Answer', exact: true }).click();
		await page.getByLabel('Business name', { exact: true }).fill('ЖК Сейтқали-2');
		await page.getByRole('button', { name: 'Continue' }).click();
		await page
			.getByRole('heading', { name: 'Check your correction before sending', level: 1 })
			.waitFor();
		await page.getByRole('button', { name: 'Send correction' }).click();
		await page.getByText('Your correction is saved on this device').waitFor();

		// Meanwhile the office rejects it: the answer, based on version 2, is too late.
		await decide(id, { status: 'rejected', reasonCode: 'applicant_mismatch', baseVersion: 2 });
		await context.setOffline(false);
		await pullUntil(page, 'Rejected');
		await page
			.getByText('A decision has been made on this application, so it can no longer be changed.')
			.waitFor({ timeout: 15_000 });
		expect(await page.getByRole('button', { name: 'Correct it again' }).count()).toBe(0);
		expect(
			await page
				.getByText('The applicant’s details do not match the national register.')
				.isVisible()
		).toBe(true);
		expect(await seriousViolations(page, 'answer overtaken')).toEqual([]);
	});

	it('asks again for the owner’s ID photo of a permit: a new photo taken offline goes up with the answer', async () => {
		const { page, context } = app.browser;
		const today = todayInKazakhstan();
		const answers = { ...GOOD_PERMIT, startDate: addDays(today, 7), endDate: addDays(today, 180) };
		await page.getByRole('link', { name: 'Services' }).first().click();
		await page
			.getByRole('button', { name: `Start : ${tradeOutletPermit.title.en}`, exact: true })
			.click();
		await walkSteps(page, tradeOutletPermit, tradeOutletPermit.steps, answers);
		await page.getByRole('button', { name: 'Accept and send' }).click();
		await page
			.getByRole('heading', { name: 'Application received', level: 1 })
			.waitFor({ timeout: 30_000 });
		const id = page.url().split('/').pop()!;

		await decide(id, {
			status: 'more_information',
			fields: ['idDocumentPhoto'],
			message: 'Куәліктің фотосы бұлыңғыр',
			baseVersion: 1
		});
		await pullUntil(page, 'More information needed');
		expect(
			await page.getByRole('listitem').filter({ hasText: 'Photo of your ID card' }).count()
		).toBe(1);

		await context.setOffline(true);
		await page.getByRole('button', { name: 'Answer', exact: true }).click();
		await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
		await page.locator('[id="field-idDocumentPhoto-asked"]').waitFor();
		expect(await page.locator('[id="field-sitePhoto-asked"]').count()).toBe(0);
		await page
			.getByLabel('Photo of your ID card', { exact: true })
			.setInputFiles(await photoFile(page, 'a clearer ID card'));
		await page.locator('[id="field-idDocumentPhoto-preview"]').waitFor({ timeout: 15_000 });
		await page.getByRole('button', { name: 'Continue' }).click();
		await page
			.getByRole('heading', { name: 'Check your correction before sending', level: 1 })
			.waitFor();
		await page.getByRole('button', { name: 'Send correction' }).click();
		await page.getByText('Your correction is saved on this device').waitFor();

		await context.setOffline(false);
		await page.getByRole('button', { name: 'Sync now' }).click();
		await page
			.getByRole('heading', { name: 'Application received', level: 1 })
			.waitFor({ timeout: 30_000 });
		await decide(id, { status: 'approved', baseVersion: 3 });
		await pullUntil(page, 'Approved');
	});
});
