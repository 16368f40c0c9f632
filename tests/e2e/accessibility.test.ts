import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInKazakhstan } from '../../shared/dates';
import { currentServices } from '../../shared/services/catalog';
import { GOOD_BIRTH, GOOD_IE_V2, GOOD_PERMIT, GOOD_TAX } from '../support/service-answers';
import { seriousViolations } from './axe';
import { personIin, signIn } from './fill';
import {
	launchBrowser,
	openControlled,
	startServer,
	type Browser,
	type RunningServer
} from './harness';
import { LANGUAGE_BUTTON, messagesOf } from './languages';
import { walkSteps } from './walk';

/** Good answers per service, with dates that hold on the day the test runs. */
const GOOD: Record<string, Record<string, string>> = {
	'individual-entrepreneur': { ...GOOD_IE_V2, startDate: todayInKazakhstan() },
	'birth-registration': { ...GOOD_BIRTH, childBirthDate: addDays(todayInKazakhstan(), -3) },
	'simplified-tax-declaration': GOOD_TAX,
	// The photo answers stand for "attach a photo": walk.ts draws one for each.
	'trade-outlet-permit': {
		...GOOD_PERMIT,
		startDate: addDays(todayInKazakhstan(), 7),
		endDate: addDays(todayInKazakhstan(), 180)
	}
};

let server: RunningServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(() => server?.stop());

// A phone of its own in each language: nobody is signed in on it until it has something to
// send, so every language meets the pages of a phone nobody is signed in on.
let phone: Browser | undefined;
afterEach(async () => {
	await phone?.close();
	phone = undefined;
});

describe.each(['kk', 'ru', 'en'] as const)('every page in %s', (locale) => {
	it('has no serious or critical accessibility violation at 360 px', async () => {
		phone = await launchBrowser();
		const { page, context } = phone;
		const t = messagesOf(locale);
		const found: string[] = [];
		const check = async (where: string) => {
			found.push(...(await seriousViolations(page, where)));
		};

		await openControlled(page, server.url);
		await page.getByRole('button', { name: LANGUAGE_BUTTON[locale] }).click();
		await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(locale);
		await page.getByRole('heading', { name: t.home_title }).waitFor();
		await check('home');

		await page.getByRole('navigation').getByRole('link', { name: t.nav_devices }).click();
		await page.getByRole('heading', { name: t.devices_title, level: 1 }).waitFor();
		await check('devices, not signed in');

		// Every service in the catalogue: every step, blank, with its errors, and the answers.
		for (const service of currentServices()) {
			const title = service.title[locale];
			await page.goto(server.url);
			const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
			await page.getByRole('button', { name: new RegExp(`: ${escaped}$`) }).click();
			await walkSteps(page, service, service.steps, GOOD[service.id]!, {
				locale,
				continueLabel: t.continue,
				errorSummaryTitle: t.error_summary_title,
				onPage: check
			});
			await page.getByRole('heading', { name: t.check_title }).waitFor();
			await check(`${service.id} check your answers`);
		}

		await context.setOffline(true);
		await page.getByRole('button', { name: t.submit_application }).click();
		await page.getByRole('heading', { name: t.confirmation_saved }).waitFor();
		await check('saved on this device');

		// Back online, the person signs in (in this language) to send it.
		await context.setOffline(false);
		const n = { kk: 81, ru: 82, en: 83 }[locale];
		await signIn(page, server, personIin(100 + n), String(n), {
			nav_sign_in: t.nav_sign_in!,
			signin_iin_label: t.signin_iin_label!,
			signin_phone_label: t.signin_phone_label!,
			signin_send_code: t.signin_send_code!,
			signin_code_label: t.signin_code_label!,
			signin_confirm: t.signin_confirm!
		});
		await page.getByRole('heading', { name: t.confirmation_received }).waitFor({ timeout: 15_000 });
		await check('received');

		await page.getByRole('link', { name: t.nav_my_applications }).first().click();
		await page.getByRole('heading', { name: t.nav_my_applications, level: 1 }).waitFor();
		await check('my applications');

		// Signed in, the page lists the devices of the person's account too.
		await page.getByRole('navigation').getByRole('link', { name: t.nav_devices }).click();
		await page.getByRole('heading', { name: t.devices_title, level: 1 }).waitFor();
		await check('devices, signed in');

		await page.goto(`${server.url}/no/such/page`);
		await page.getByRole('heading', { name: t.not_found_title }).waitFor();
		await check('not found');

		expect(found).toEqual([]);
	});
});
