import { describe, expect, it } from 'vitest';
import { startApplication } from './fill';
import { openControlled, useAppAndBrowser } from './harness';

const app = useAppAndBrowser({ browser: { locale: 'ru-RU' } });

describe('the interface language', () => {
	it('starts in the browser language, keeps the choice on the device, and sets <html lang>', async () => {
		const { page } = app.browser;
		await openControlled(page, app.server.url);
		await page.getByRole('heading', { name: 'Государственные услуги' }).waitFor();
		expect(await page.evaluate(() => document.documentElement.lang)).toBe('ru');

		await page.getByRole('button', { name: 'Қазақша' }).click();
		await page.getByRole('heading', { name: 'Мемлекеттік қызметтер' }).waitFor();
		await page.reload();
		await page.getByRole('heading', { name: 'Мемлекеттік қызметтер' }).waitFor();
		expect(await page.evaluate(() => document.documentElement.lang)).toBe('kk');
		expect(await page.getByRole('button', { name: 'Қазақша' }).getAttribute('aria-pressed')).toBe(
			'true'
		);
	});

	it('switches mid-form without losing a typed answer, and shows errors in the new language', async () => {
		const { page } = app.browser;
		await page.getByRole('button', { name: 'English' }).click();
		await startApplication(page);
		await page.getByLabel('Your IIN', { exact: true }).fill('061211600013');
		await page.getByLabel('Full name', { exact: true }).fill('Айгүл');
		await page.getByRole('button', { name: 'Русский' }).click();
		await expect.poll(() => page.getByLabel('Фамилия, имя, отчество').inputValue()).toBe('Айгүл');

		await page.getByRole('button', { name: 'Продолжить' }).click();
		await page.getByRole('heading', { name: 'Есть ошибки' }).waitFor();
		expect(await page.getByRole('link', { name: /Введите правильный ИИН/ }).isVisible()).toBe(true);
		// The title says so first, for a screen reader arriving on the page.
		expect(await page.title()).toMatch(/^Ошибка: /);

		// The error summary links move focus to the field they name.
		await page.getByRole('link', { name: /Введите правильный ИИН/ }).click();
		expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-iin');
	});
});
