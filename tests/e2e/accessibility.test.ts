import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Locale } from '../../shared/locale';
import { individualEntrepreneur } from '../../shared/services/individual-entrepreneur';
import { seriousViolations } from './axe';
import { GOOD_ANSWERS } from './fill';
import { openControlled, useAppAndBrowser } from './harness';

const LANGUAGE_BUTTON: Record<Locale, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };

function messages(locale: Locale): Record<string, string> {
	return JSON.parse(
		readFileSync(new URL(`../../messages/${locale}.json`, import.meta.url), 'utf8')
	);
}

const app = useAppAndBrowser();

describe.each(['kk', 'ru', 'en'] as const)('every page in %s', (locale) => {
	it('has no serious or critical accessibility violation at 360 px', async () => {
		const { page, context } = app.browser;
		const t = messages(locale);
		const service = individualEntrepreneur;
		const found: string[] = [];
		const check = async (where: string) => found.push(...(await seriousViolations(page, where)));

		await openControlled(page, app.server.url);
		await page.getByRole('button', { name: LANGUAGE_BUTTON[locale] }).click();
		await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(locale);
		await page.getByRole('heading', { name: t.home_title }).waitFor();
		await check('home');

		await page.getByRole('button', { name: new RegExp(t.start_application!) }).click();
		await page.getByRole('heading', { name: service.title[locale] }).waitFor();
		await check('form');

		await page.getByRole('button', { name: t.continue }).click();
		await page.getByRole('heading', { name: t.error_summary_title }).waitFor();
		await check('form with errors');

		for (const field of service.fields) {
			const input = page.getByLabel(field.label[locale]);
			const value = GOOD_ANSWERS[field.name as keyof typeof GOOD_ANSWERS];
			if (field.kind === 'choice') await input.selectOption(value);
			else await input.fill(value);
		}
		await page.getByRole('button', { name: t.continue }).click();
		await page.getByRole('heading', { name: t.check_title }).waitFor();
		await check('check your answers');

		await context.setOffline(true);
		await page.getByRole('button', { name: t.submit_application }).click();
		await page.getByRole('heading', { name: t.confirmation_saved }).waitFor();
		await check('saved on this device');

		await context.setOffline(false);
		await page.getByRole('heading', { name: t.confirmation_received }).waitFor({ timeout: 15_000 });
		await check('received');

		await page.getByRole('link', { name: t.nav_my_applications }).first().click();
		await page.getByRole('heading', { name: t.nav_my_applications, level: 1 }).waitFor();
		await check('my applications');

		await page.getByRole('navigation').getByRole('link', { name: t.nav_devices }).click();
		await page.getByRole('heading', { name: t.devices_title, level: 1 }).waitFor();
		await check('devices');

		await page.getByRole('button', { name: t.link_accept_button }).click();
		await page.getByRole('heading', { name: t.error_summary_title }).waitFor();
		await check('devices with errors');

		await page.getByRole('button', { name: t.link_offer_button }).click();
		await page.getByText(t.link_code_label!, { exact: true }).waitFor({ timeout: 15_000 });
		await check('devices with a code');

		await page.goto(`${app.server.url}/no/such/page`);
		await page.getByRole('heading', { name: t.not_found_title }).waitFor();
		await check('not found');

		expect(found).toEqual([]);
	});
});
