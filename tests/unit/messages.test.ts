import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FieldErrorCode } from '../../shared/errors';
import { LOCALES } from '../../shared/locale';

function messages(locale: string): Record<string, string> {
	return JSON.parse(
		readFileSync(new URL(`../../messages/${locale}.json`, import.meta.url), 'utf8')
	) as Record<string, string>;
}

// Paraglide falls back to English for a key a language lacks: a Kazakh speaker would then
// read an English error. Every language must have every message, translated.
describe('interface text', () => {
	const en = messages('en');

	it.each(LOCALES.filter((l) => l !== 'en'))('%s has every message, each translated', (locale) => {
		const text = messages(locale);
		expect(Object.keys(text).sort()).toEqual(Object.keys(en).sort());
		const untranslated = Object.keys(en).filter(
			(key) => key !== '$schema' && /[a-z]{4}/.test(en[key]!) && text[key] === en[key]
		);
		expect(untranslated).toEqual([]);
	});

	it.each(LOCALES)('%s keeps the placeholders of every message', (locale) => {
		const text = messages(locale);
		for (const [key, english] of Object.entries(en)) {
			const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
			expect(names(text[key] ?? ''), key).toEqual(names(english));
		}
	});

	it('has an error message for each field error code', () => {
		const shared: Partial<Record<string, string>> = {
			required: 'error_required',
			invalid_choice: 'error_choose'
		};
		for (const code of Object.values(FieldErrorCode)) {
			expect(en, code).toHaveProperty(shared[code] ?? `error_${code}`);
		}
	});
});
