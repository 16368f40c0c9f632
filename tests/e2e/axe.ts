import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import type { Locale } from '../../shared/locale';
import { chooseLanguage, EVERY_LANGUAGE } from './languages';

/** Runs axe on the page as it stands; returns its serious and critical violations. */
export async function seriousViolations(page: Page, where: string): Promise<string[]> {
	const results = await new AxeBuilder({ page })
		.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
		.analyze();
	return results.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map(
			(v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`
		);
}

/** axe on the page as it stands in each language, English last (the test goes on in it). */
export async function violationsInEveryLanguage(page: Page, where: string): Promise<string[]> {
	const found: string[] = [];
	for (const locale of EVERY_LANGUAGE as readonly Locale[]) {
		await chooseLanguage(page, locale);
		found.push(...(await seriousViolations(page, `${where} (${locale})`)));
	}
	return found;
}
