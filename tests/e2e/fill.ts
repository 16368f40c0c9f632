import type { Page } from 'playwright-core';

/** Answers that pass every rule of the individual-entrepreneur service. */
export const GOOD_ANSWERS = {
	iin: '061211600012',
	fullName: 'Сейтқали Айгүл Нұрланқызы',
	businessName: 'ЖК Сейтқали',
	activity: 'retail',
	address: 'Түркістан облысы, Сайрам ауданы, Ақсу ауылы, Абай көшесі, 12',
	phone: '+7 701 234 56 78'
};

/** Starts the individual-entrepreneur application from the catalogue (English). */
export async function startApplication(page: Page): Promise<void> {
	await page.getByRole('button', { name: /Start.*Register as an individual entrepreneur/ }).click();
	await page.getByRole('heading', { name: 'Register as an individual entrepreneur' }).waitFor();
}

/** Fills the form by its labels, as a person would. */
export async function fillApplication(page: Page, answers = GOOD_ANSWERS): Promise<void> {
	await page.getByLabel('Your IIN').fill(answers.iin);
	await page.getByLabel('Full name').fill(answers.fullName);
	await page.getByLabel('Business name').fill(answers.businessName);
	await page.getByLabel('Type of activity').selectOption(answers.activity);
	await page.getByLabel('Business address').fill(answers.address);
	await page.getByLabel('Phone number').fill(answers.phone);
}

/** From the filled form through check-your-answers to the confirmation page. */
export async function submitApplication(page: Page): Promise<void> {
	await page.getByRole('button', { name: 'Continue' }).click();
	await page.getByRole('heading', { name: 'Check your answers before sending' }).waitFor();
	await page.getByRole('button', { name: 'Accept and send' }).click();
}
