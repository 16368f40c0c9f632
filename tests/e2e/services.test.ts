/**
 * Each service end to end, as a person in a village would use it: the whole form filled
 * with no network, a reload half-way that brings the draft back on the same step, the
 * application saved on the device, and received (or accepted by rule) once the link returns.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInKazakhstan } from '../../shared/dates';
import { birthRegistration } from '../../shared/services/birth-registration';
import type { ServiceDefinition } from '../../shared/services/definition';
import { simplifiedTaxDeclaration } from '../../shared/services/simplified-tax-declaration';
import { GOOD_BIRTH, GOOD_TAX } from '../support/service-answers';
import { personIin, signIn } from './fill';
import { openControlled, useAppAndBrowser } from './harness';
import { walkSteps } from './walk';

const app = useAppAndBrowser();

// One person on this phone, signed in once while there was a network: each service's
// application goes with that session. (The browser is shared by the cases.)
beforeAll(async () => {
	await openControlled(app.browser.page, app.server.url);
	await signIn(app.browser.page, app.server, personIin(170), '20');
});

interface Case {
	id: string;
	service: ServiceDefinition;
	answers: Record<string, string>;
	/** An answer on an earlier step, looked for after the reload. */
	restored: string;
	/** Shown on check-your-answers: what the device worked out, by its label. */
	shows?: [string, string];
}
const cases: Case[] = [
	{
		id: birthRegistration.id,
		service: birthRegistration,
		answers: { ...GOOD_BIRTH, childBirthDate: addDays(todayInKazakhstan(), -3) },
		restored: 'motherIin'
	},
	{
		id: simplifiedTaxDeclaration.id,
		service: simplifiedTaxDeclaration,
		answers: GOOD_TAX,
		restored: 'year',
		// The tax due, worked out on the device with no network from shared/tax/rates.ts.
		shows: ['Total tax due', '200\u00a0000\u00a0₸']
	}
];

describe.each(cases)('$id offline', ({ service, answers, restored, shows }) => {
	it('is filled offline, survives a reload mid-form, and is received once online', async () => {
		const { page, context } = app.browser;
		await openControlled(page, app.server.url);
		await context.setOffline(true);
		await page.reload();
		await page.getByRole('heading', { name: 'Government services' }).waitFor();

		await page.getByRole('button', { name: `Start : ${service.title.en}`, exact: true }).click();
		const half = Math.ceil(service.steps.length / 2);
		await walkSteps(page, service, service.steps.slice(0, half), answers);
		const resumed = service.steps[half]!;
		await page.getByRole('heading', { name: resumed.title.en, level: 1 }).waitFor();

		// The phone runs out of battery here: the draft comes back on the same step.
		await page.reload();
		await page.getByRole('heading', { name: resumed.title.en, level: 1 }).waitFor();
		const earlier = service.steps.find((s) => s.fields.some((f) => f.name === restored))!;
		await page.goto(`${page.url().replace(/[^/]+$/, earlier.id)}`);
		await expect
			.poll(() => page.locator(`[id="field-${restored}"]`).inputValue())
			.toBe(answers[restored]);
		await page.goto(`${page.url().replace(/[^/]+$/, resumed.id)}`);

		await walkSteps(page, service, service.steps.slice(half), answers);
		await page.getByRole('heading', { name: 'Check your answers before sending' }).waitFor();
		if (shows) {
			const [label, value] = shows;
			const row = page.locator('.summary-list > div').filter({ hasText: label });
			expect(await row.getByText(value, { exact: true }).isVisible()).toBe(true);
		}
		await page.getByRole('button', { name: 'Accept and send' }).click();
		await page.getByRole('heading', { name: 'Application saved' }).waitFor();

		await context.setOffline(false);
		// A declaration is accepted by rule in the sync that delivers it (automatic-rules.ts).
		const decided = service.processing.kind === 'automatic' ? 'Approved' : 'Application received';
		await page.getByRole('heading', { name: decided, level: 1 }).waitFor({ timeout: 15_000 });
		expect(await page.locator('.reference').textContent()).toMatch(/^DL-\d{4}-\d{6}$/);
	});
});
