/**
 * A citizen signs in on the phone (issue 21): IIN and phone, then the code the SMS would
 * bring (on the embedded server it is in the server's log, and the page says so). Every
 * refusal is said in words at its field; the session ends up in IndexedDB, never in
 * localStorage. In each language, with axe.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Locale } from '../../shared/locale';
import { seriousViolations } from './axe';
import { applyOnline, personIin as iin, signIn } from './fill';
import { launchBrowser, openControlled, useAppAndBrowser } from './harness';
import { LANGUAGE_BUTTON } from './languages';
import { storedSession, tokenInWebStorage } from './stored';

const app = useAppAndBrowser();

/** The app's words in `locale`, by message key; a key that is not there fails the test. */
function messages(locale: Locale): (key: string) => string {
	const all = JSON.parse(
		readFileSync(new URL(`../../messages/${locale}.json`, import.meta.url), 'utf8')
	) as Record<string, string>;
	return (key) => {
		const text = all[key];
		if (text === undefined) throw new Error(`no message ${key} in ${locale}`);
		return text;
	};
}

describe.each(['kk', 'ru', 'en'] as const)('signing in, in %s', (locale) => {
	const t = messages(locale);
	const n = { kk: 10, ru: 20, en: 30 }[locale];

	it('says what is wrong in words, then signs in with the code from the SMS', async () => {
		const page = app.browser.page;
		await openControlled(page, `${app.server.url}/sign-in`);
		await page.getByRole('button', { name: LANGUAGE_BUTTON[locale] }).click();
		await page.getByRole('heading', { name: t('signin_title'), level: 1 }).waitFor();
		const send = page.getByRole('button', { name: t('signin_send_code') });

		// Nothing typed: both fields say so, with the summary above that takes focus.
		await send.click();
		await page.getByRole('heading', { name: t('error_summary_title') }).waitFor();
		expect(await page.getByText(t('signin_error_iin_required')).count()).toBe(2);
		expect(await page.getByText(t('signin_error_phone_required')).count()).toBe(2);
		expect(await seriousViolations(page, `sign-in errors (${locale})`)).toEqual([]);

		// A wrong check digit is caught here, before anything is sent.
		const good = iin(n);
		const bad = good.slice(0, 11) + String((Number(good[11]) + 1) % 10);
		await page.getByLabel(t('signin_iin_label'), { exact: true }).fill(bad);
		await page.getByLabel(t('signin_phone_label'), { exact: true }).fill('8 (701) 55');
		await send.click();
		await expect.poll(() => page.getByText(t('signin_error_iin_invalid')).count()).toBe(2);
		expect(await page.getByText(t('signin_error_phone_invalid')).count()).toBe(2);

		// No connection: said at once, and what was typed stays.
		const phone = `8 (701) 555-${String(n).padStart(2, '0')}-00`;
		await page
			.getByLabel(t('signin_iin_label'), { exact: true })
			.fill(`${good.slice(0, 6)} ${good.slice(6)}`);
		await page.getByLabel(t('signin_phone_label'), { exact: true }).fill(phone);
		await app.browser.context.setOffline(true);
		await send.click();
		await page.getByText(t('signin_error_offline')).first().waitFor();
		expect(await page.getByLabel(t('signin_phone_label'), { exact: true }).inputValue()).toBe(
			phone
		);
		await app.browser.context.setOffline(false);

		await send.click();
		await page.getByRole('heading', { name: t('signin_code_title'), level: 1 }).waitFor();
		const codeField = page.getByLabel(t('signin_code_label'), { exact: true });
		expect(await codeField.getAttribute('autocomplete')).toBe('one-time-code');
		expect(await codeField.getAttribute('inputmode')).toBe('numeric');
		// +7 701 555 NN 00, as the page and the log mask it.
		const masked = '+7 7•• ••• •• 00';
		await page.getByText(masked).waitFor();
		await page.getByText(t('signin_code_development')).waitFor();
		expect(await seriousViolations(page, `sign-in code (${locale})`)).toEqual([]);

		const code = await app.server.signInCode(masked);
		const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
		await codeField.fill(wrong);
		await page.getByRole('button', { name: t('signin_confirm') }).click();
		const triesLeft = t('signin_error_wrong_code').replace('{tries}', '4');
		await expect.poll(() => page.getByText(triesLeft).count()).toBe(2);

		await codeField.fill(code);
		await page.getByRole('button', { name: t('signin_confirm') }).click();
		await page.waitForURL(`${app.server.url}/`);
		expect((await storedSession(page))?.account.role).toBe('citizen');
		expect(await tokenInWebStorage(page)).toBe(false);
	});
});

describe('one person on two phones', () => {
	it('signs in on both, and each shows the applications of both', async () => {
		const person = iin(40);
		const deviceA = await launchBrowser();
		const deviceB = await launchBrowser();
		try {
			const a = deviceA.page;
			const b = deviceB.page;
			// Sending needs the session: each phone signs in, then applies.
			await openControlled(a, app.server.url);
			await signIn(a, app.server, person, '41');
			const referenceA = await applyOnline(a);
			await openControlled(b, app.server.url);
			await signIn(b, app.server, person, '42');
			const referenceB = await applyOnline(b);
			for (const page of [b, a]) {
				await page.getByRole('navigation').getByRole('link', { name: 'My applications' }).click();
				await expect
					.poll(
						async () => {
							const both =
								(await page.getByText(referenceA, { exact: true }).isVisible()) &&
								(await page.getByText(referenceB, { exact: true }).isVisible());
							const sync = page.getByRole('button', { name: 'Sync now' });
							if (!both && (await sync.isEnabled())) await sync.click();
							return both;
						},
						{ timeout: 30_000, interval: 1000 }
					)
					.toBe(true);
			}
		} finally {
			await deviceA.close();
			await deviceB.close();
		}
	});
});
