import type { Page } from 'playwright-core';
import { iinCheckDigit } from '../../shared/iin';

/** Today in UTC, which is never after today in Kazakhstan: a start date the form accepts. */
const today = new Date().toISOString().slice(0, 10);

/**
 * Answers that pass every rule of the individual-entrepreneur service (version 2). A café
 * needs a sanitary inspection, so no rule registers it: it waits for a reviewer, as the
 * suites that decide it expect. Documents issued by rule use LOW_RISK_ACTIVITY.
 */
export const GOOD_ANSWERS = {
	iin: '061211600012',
	fullName: 'Сейтқали Айгүл Нұрланқызы',
	phone: '+7 701 234 56 78',
	businessName: 'ЖК Сейтқали',
	activity: 'catering',
	taxRegime: 'simplified',
	startDate: today,
	region: 'turkistan',
	settlement: 'Ақсу',
	street: 'Абай көшесі',
	house: '12'
};

/** An activity on the service's low-risk list: registered by rule the moment it syncs. */
export const LOW_RISK_ACTIVITY = 'retail';

/** Starts the individual-entrepreneur application from the catalogue (English). */
export async function startApplication(page: Page): Promise<void> {
	await page.getByRole('button', { name: /Start.*Register as an individual entrepreneur/ }).click();
	await page.getByRole('heading', { name: 'About you' }).waitFor();
}

/** Goes on from a step of the form and waits for the page it leads to. */
export async function continueTo(page: Page, heading: string): Promise<void> {
	await page.getByRole('button', { name: 'Continue' }).click();
	await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

/**
 * Fills the individual-entrepreneur form by its labels, as a person would, step by step;
 * stays on the last step.
 */
export async function fillApplication(page: Page, answers = GOOD_ANSWERS): Promise<void> {
	const field = (label: string) => page.getByLabel(label, { exact: true });
	await field('Your IIN').fill(answers.iin);
	await field('Full name').fill(answers.fullName);
	await field('Phone number').fill(answers.phone);
	await continueTo(page, 'Your business');
	await field('Business name').fill(answers.businessName);
	await field('Type of activity').selectOption(answers.activity);
	await field('Tax regime').selectOption(answers.taxRegime);
	await field('Date you start business').fill(answers.startDate);
	await continueTo(page, 'Where you work');
	await field('Region or city').selectOption(answers.region);
	await field('Town or village').fill(answers.settlement);
	await field('Street').fill(answers.street);
	await field('House').fill(answers.house);
}

/** From the last step through check-your-answers to the confirmation page. */
export async function submitApplication(page: Page): Promise<void> {
	await continueTo(page, 'Check your answers before sending');
	await page.getByRole('button', { name: 'Accept and send' }).click();
}

/**
 * From an application's page, corrects one answer: "Correct your answers" opens the
 * answers to check, "Change" goes to the step that asks it, and Continue comes back.
 */
export async function correctAnswer(page: Page, label: string, value: string): Promise<void> {
	await page.getByRole('button', { name: 'Correct your answers' }).click();
	await page.getByRole('heading', { name: 'Check your correction before sending' }).waitFor();
	await page.getByRole('link', { name: `Change ${label}` }).click();
	await page.getByLabel(label, { exact: true }).fill(value);
	await continueTo(page, 'Check your correction before sending');
	await page.getByRole('button', { name: 'Send correction' }).click();
}

/**
 * Resolves once the device database holds `value` for input `name` in some draft. A test
 * that reloads right after typing waits for this first: the last keystroke's write may
 * still be in flight, and a reload within milliseconds of it is not what this test means.
 */
export async function draftSaved(page: Page, name: string, value: string): Promise<void> {
	await page.waitForFunction(
		async ([name, value]) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open('dala');
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			try {
				const drafts = await new Promise<{ answers: Record<string, string> }[]>(
					(resolve, reject) => {
						const request = db.transaction('drafts').objectStore('drafts').getAll();
						request.onsuccess = () => resolve(request.result);
						request.onerror = () => reject(request.error);
					}
				);
				return drafts.some((d) => d.answers[name!] === value);
			} finally {
				db.close();
			}
		},
		[name, value],
		{ timeout: 10_000 }
	);
}

/** Submits an application online; its reference once the server has answered. */
export async function applyOnline(page: Page): Promise<string> {
	await startApplication(page);
	await fillApplication(page);
	await submitApplication(page);
	await page.getByRole('heading', { name: 'Application received' }).waitFor({ timeout: 15_000 });
	return (await page.locator('.reference').textContent())!;
}

/** A valid IIN of its own per `n`: the check digit computed by the shared rule. */
export function personIin(n: number): string {
	for (let i = n; ; i++) {
		const first11 = `8502153${String(i).padStart(4, '0')}`;
		const check = iinCheckDigit(first11);
		if (check !== null) return `${first11}${check}`;
	}
}

/** The words `signIn` finds the sign-in page by, by message key: English unless given. */
export interface SignInWords {
	nav_sign_in: string;
	signin_iin_label: string;
	signin_phone_label: string;
	signin_send_code: string;
	signin_code_label: string;
	signin_confirm: string;
}

const ENGLISH_SIGN_IN: SignInWords = {
	nav_sign_in: 'Sign in',
	signin_iin_label: 'IIN',
	signin_phone_label: 'Mobile phone number',
	signin_send_code: 'Send code',
	signin_code_label: 'Code from the SMS',
	signin_confirm: 'Sign in'
};

/**
 * Signs `page` in as the person with `iin` and a phone ending in `last2`, with the code
 * the server logged, from the navigation's "Sign in" (in English unless `words` are given).
 */
export async function signIn(
	page: Page,
	server: { signInCode(masked: string): Promise<string> },
	iin: string,
	last2: string,
	words: SignInWords = ENGLISH_SIGN_IN
): Promise<void> {
	const signInLink = page.getByRole('navigation').getByRole('link', { name: words.nav_sign_in });
	await signInLink.click();
	await completeSignIn(page, server, iin, last2, words);
	// No longer offered a sign-in. (A locator's wait, not expect.poll: callable from a
	// beforeAll too.)
	await signInLink.waitFor({ state: 'detached' });
}

/**
 * On the sign-in page, however the person got there: IIN, a phone ending in `last2`,
 * the code the server logged; resolves once the app has left the page.
 */
export async function completeSignIn(
	page: Page,
	server: { signInCode(masked: string): Promise<string> },
	iin: string,
	last2: string,
	words: SignInWords = ENGLISH_SIGN_IN
): Promise<void> {
	await page.getByLabel(words.signin_iin_label, { exact: true }).fill(iin);
	await page.getByLabel(words.signin_phone_label, { exact: true }).fill(`+7 701 555 44 ${last2}`);
	await page.getByRole('button', { name: words.signin_send_code }).click();
	const code = await server.signInCode(`+7 7•• ••• •• ${last2}`);
	await page.getByLabel(words.signin_code_label, { exact: true }).fill(code);
	await page.getByRole('button', { name: words.signin_confirm }).click();
	await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}
