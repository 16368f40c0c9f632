import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../sync-server/db/open';
import { applications } from '../../sync-server/db/schema';
import { fillApplication, startApplication, submitApplication } from './fill';
import {
	launchBrowser,
	openControlled,
	startServer,
	type Browser,
	type RunningServer
} from './harness';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
	server = await startServer();
	browser = await launchBrowser();
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
});

describe('Background Sync', () => {
	it('sends the queue from the service worker when no page of the app is open', async () => {
		const { page, context } = browser;
		const pushesFromPage = { n: 0 };
		page.on('request', (r) => {
			if (r.url().endsWith('/api/sync/push')) pushesFromPage.n += 1;
		});
		await openControlled(page, server.url);
		await context.setOffline(true);
		await startApplication(page);
		await fillApplication(page);
		await submitApplication(page);
		await page.getByRole('heading', { name: 'Application saved' }).waitFor();

		// Find the registration while the app is open, then leave the app entirely.
		const cdp = await context.newCDPSession(page);
		const registration = new Promise<string>((resolve) => {
			cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
				const ours = registrations.find((r) => r.scopeURL.startsWith(server.url) && !r.isDeleted);
				if (ours) resolve(ours.registrationId);
			});
		});
		await cdp.send('ServiceWorker.enable');
		const registrationId = await registration;
		await page.goto('about:blank');
		pushesFromPage.n = 0;
		await context.setOffline(false);

		// What the browser does when the network returns: fire the sync event.
		await cdp.send('ServiceWorker.dispatchSyncEvent', {
			origin: server.url,
			registrationId,
			tag: 'dala-outbox',
			lastChance: false
		});

		// The worker's own view of the outbox, read inside the worker.
		const worker = context.serviceWorkers().find((w) => w.url().startsWith(server.url));
		expect(worker).toBeDefined();
		const outboxSize = () =>
			worker!.evaluate(
				() =>
					new Promise<number>((resolve, reject) => {
						const open = indexedDB.open('dala');
						open.onerror = () => reject(open.error);
						open.onsuccess = () => {
							const request = open.result.transaction('outbox').objectStore('outbox').count();
							request.onsuccess = () => {
								resolve(request.result);
								open.result.close();
							};
						};
					})
			);
		await expect.poll(outboxSize, { timeout: 20_000, interval: 250 }).toBe(0);

		// No page of the app sent anything after it was left; the worker did.
		expect(pushesFromPage.n).toBe(0);
		await browser.close();
		await server.stop();
		const database = await openDatabase({ dataDir: server.dataDir });
		try {
			const [rows] = await database.db.select({ n: count() }).from(applications);
			expect(rows?.n).toBe(1);
		} finally {
			await database.close();
		}
	});
});
