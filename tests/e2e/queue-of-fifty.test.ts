import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { randomIin } from '../sim/answers';
import { Random } from '../sim/random';
import {
	GOOD_ANSWERS,
	fillApplication,
	personIin,
	signIn,
	startApplication,
	submitApplication
} from './fill';
import { applicationsStored, openControlled, useAppAndBrowser } from './harness';

const TOTAL = 50;

const app = useAppAndBrowser();

/** Counts the pushes each tab sends, so the test can tell which tab synced. */
function countPushes(page: Page): { n: number } {
	const pushes = { n: 0 };
	page.on('request', (request) => {
		if (request.url().endsWith('/api/sync/push')) pushes.n += 1;
	});
	return pushes;
}

describe('a day of applications queued offline', () => {
	it('arrives exactly once through a cut link, a reload and a second tab; one tab sends', async () => {
		const { context, page } = app.browser;
		const random = new Random(50);
		const fromFirstTab = countPushes(page);
		await openControlled(page, app.server.url);
		// Signed in the day before, in town: the cut and the reload below land in pushes of
		// the queue, not in a sign-in.
		await signIn(page, app.server, personIin(150), '18');
		await context.setOffline(true);

		for (let i = 0; i < TOTAL; i++) {
			await page.goto(app.server.url);
			await startApplication(page);
			await fillApplication(page, {
				...GOOD_ANSWERS,
				iin: randomIin(random),
				businessName: `ЖК Сейтқали ${i + 1}`
			});
			await submitApplication(page);
			await page.getByRole('heading', { name: 'Application saved' }).waitFor();
		}
		await page.goto(`${app.server.url}/applications`);
		await expect.poll(() => page.getByText(`Waiting to send: ${TOTAL}`).isVisible()).toBe(true);

		// Back online on a slow link, so that cutting it and reloading land mid-sync. The
		// cut and the slow link are set through CDP: Playwright's setOffline(false) would
		// also lift the throttling.
		const cdp = await context.newCDPSession(page);
		const link = (offline: boolean) =>
			cdp.send('Network.emulateNetworkConditions', {
				offline,
				latency: 400,
				downloadThroughput: 20_000,
				uploadThroughput: 20_000
			});
		const firstAnswer = page.waitForResponse((r) => r.url().endsWith('/api/sync/push'));
		await context.setOffline(false);
		await link(false);
		await firstAnswer;
		await link(true);
		await expect.poll(() => page.getByText(/No connection to the server/).isVisible()).toBe(true);
		expect(await page.getByText(`Waiting to send: ${TOTAL}`).isVisible()).toBe(false);

		const nextPush = page.waitForRequest((r) => r.url().endsWith('/api/sync/push'));
		await link(false);
		await page.getByRole('button', { name: 'Sync now' }).click();
		await nextPush;
		await page.reload();

		const second = await context.newPage();
		const fromSecondTab = countPushes(second);
		await second.goto(`${app.server.url}/applications`);

		for (const tab of [page, second]) {
			await expect
				.poll(() => tab.getByText('Waiting to send: 0').isVisible(), { timeout: 60_000 })
				.toBe(true);
			await expect
				.poll(() => tab.locator('li').filter({ hasText: 'Received' }).count(), { timeout: 30_000 })
				.toBe(TOTAL);
			const references = await tab.locator('li strong:text-matches("^DL-")').allTextContents();
			expect(new Set(references).size).toBe(TOTAL);
		}
		expect(fromFirstTab.n).toBeGreaterThan(1);
		expect(fromSecondTab.n).toBe(0);

		await second.close();
		expect(await applicationsStored(app)).toHaveLength(TOTAL);
	});
});
