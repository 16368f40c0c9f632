import { beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import {
	correctAnswer,
	fillApplication,
	personIin,
	signIn,
	startApplication,
	submitApplication
} from './fill';
import { openControlled, useAppAndBrowser } from './harness';
import { createStaffByCli, StaffDevice } from '../support/staff-device';

// The region GOOD_ANSWERS name (fill.ts): only its reviewers decide the application.
const REGION = 'turkistan';

let setPasswordToken = '';
const app = useAppAndBrowser({
	beforeServer: async (dataDir) => {
		setPasswordToken = await createStaffByCli(
			{ DATA_DIR: dataDir, DATABASE_URL: '' },
			'reviewer',
			REGION
		);
	}
});

let reviewer: StaffDevice;
// After the server is up (hooks run in order): the reviewer sets a password and signs in.
beforeAll(async () => {
	reviewer = await StaffDevice.signIn(app.server.url, setPasswordToken);
});

/** A decision of the region's reviewer, signed in as themselves, through the office API. */
async function decide(id: string, body: Record<string, unknown>): Promise<number> {
	const response = await reviewer.post(
		app.server.url,
		`/api/office/applications/${id}/decision`,
		body
	);
	return response.status;
}

describe('decisions and conflicts in the browser', () => {
	it('shows a correction that raced a reviewer beside the server state, and applies it on request', async () => {
		const { page, context } = app.browser;
		await openControlled(page, app.server.url);
		await signIn(page, app.server, personIin(110), '14');
		await startApplication(page);
		await fillApplication(page);
		await submitApplication(page);
		await page.getByRole('heading', { name: 'Application received' }).waitFor({ timeout: 15_000 });
		const id = page.url().split('/').pop()!;

		// Offline, the person corrects the business name, based on version 1.
		await context.setOffline(true);
		await correctAnswer(page, 'Business name', 'ЖК Сейтқали және ұлдары');
		await expect
			.poll(() => page.getByText('Your correction is saved on this device').isVisible())
			.toBe(true);

		// Meanwhile the office takes the application into review: version 2.
		expect(await decide(id, { status: 'in_review', baseVersion: 1 })).toBe(200);

		await context.setOffline(false);
		const conflict = page.getByRole('region', { name: /The office updated this application/ });
		await conflict.waitFor({ timeout: 15_000 });
		const table = conflict.getByRole('table');
		expect(await table.getByRole('cell', { name: 'ЖК Сейтқали', exact: true }).count()).toBe(1);
		expect(await table.getByRole('cell', { name: 'ЖК Сейтқали және ұлдары' }).count()).toBe(1);
		expect(await page.getByText('Under review').first().isVisible()).toBe(true);
		expect(await seriousViolations(page, 'conflict')).toEqual([]);

		await conflict
			.getByRole('button', { name: 'Apply my correction to the current version' })
			.click();
		await expect.poll(() => conflict.isVisible(), { timeout: 15_000 }).toBe(false);
		await expect
			.poll(() =>
				page.getByRole('definition').filter({ hasText: 'ЖК Сейтқали және ұлдары' }).count()
			)
			.toBe(1);

		// The office decides: the decision and its reason reach the person; no more corrections.
		expect(
			await decide(id, { status: 'rejected', baseVersion: 3, reason: 'Мекенжай расталмады' })
		).toBe(200);
		await page.getByRole('button', { name: 'Sync now' }).click();
		await expect
			.poll(() => page.getByText('Мекенжай расталмады').isVisible(), { timeout: 15_000 })
			.toBe(true);
		// The decision is the page's headline.
		expect(await page.getByRole('heading', { name: 'Rejected', level: 1 }).isVisible()).toBe(true);
		expect(await page.getByRole('button', { name: 'Correct your answers' }).count()).toBe(0);
	});
});
