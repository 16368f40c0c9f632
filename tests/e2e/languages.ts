import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Locale } from '../../shared/locale';

/** The language picker's button for each language, in that language. */
export const LANGUAGE_BUTTON: Record<Locale, string> = {
	kk: 'Қазақша',
	ru: 'Русский',
	en: 'English'
};

/** English last: a test that checks every language goes on in English. */
export const EVERY_LANGUAGE = ['kk', 'ru', 'en'] as const satisfies readonly Locale[];

/** Switches `page` to `locale` with the picker, once the page says it is in that language. */
export async function chooseLanguage(page: Page, locale: Locale): Promise<void> {
	await page.getByRole('button', { name: LANGUAGE_BUTTON[locale] }).click();
	await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(locale);
}

/** The app's words in `locale`, by message key, as messages/<locale>.json holds them. */
export function messagesOf(locale: Locale): Record<string, string> {
	return JSON.parse(
		readFileSync(new URL(`../../messages/${locale}.json`, import.meta.url), 'utf8')
	);
}
