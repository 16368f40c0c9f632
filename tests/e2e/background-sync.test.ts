import { describe, expect, it } from 'vitest';
import { fillApplication, personIin, signIn, startApplication, submitApplication } from './fill';
import { applicationsStored, openControlled, useAppAndBrowser } from './harness';

const app = useAppAndBrowser();

describe('Background Sync', () => {
	it('sends the queue from the service worker when no page of the app is open', async () => {
		const { page, context } = app.browser;
		const pushesFromPage = { n: 0 };
		page.on('request', (r) => {
			if (r.url().endsWith('/api/sync/push')) pushesFromPage.n += 1;
		});
		await openControlled(page, app.server.url);
		// Signed in while there was a network: the worker sends with the session the page
		// kept in IndexedDB, as it must once no page of the app is open.
		await signIn(page, app.server, personIin(100), '13');
		await context.setOffline(true);
		await startApplication(page);
		await fillApplication(page);
		await submitApplication(page);
		await page.getByRole('heading', { name: 'Application saved' }).waitFor();

		// Find the registration while the app is open, then leave the app entirely.
		const cdp = await context.newCDPSession(page);
		const registration = new Promise<string>((resolve) => {
			cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
				const ours = registrations.find(
					(r) => r.scopeURL.startsWith(app.server.url) && !r.isDeleted
				);
				if (ours) resolve(ours.registrationId);
			});
		});
		await cdp.send('ServiceWorker.enable');
		const registrationId = await registration;
		await page.goto('about:blank');
		pushesFromPage.n = 0;
		await context.setOffline(false);

		// What the browser does when the network returns: fire the sync event. A pass that
		// fails (the worker may see the network back a moment after the page does, on a busy
		// machine) makes the browser fire it again later; here, again after a few seconds.
		const fireSync = () =>
			cdp.send('ServiceWorker.dispatchSyncEvent', {
				origin: app.server.url,
				registrationId,
				tag: 'dala-outbox',
				lastChance: false
			});
		await fireSync();

		// The worker's own view of the outbox, read inside the worker.
		const worker = context.serviceWorkers().find((w) => w.url().startsWith(app.server.url));
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
		let fired = Date.now();
		await expect
			.poll(
				async () => {
					const size = await outboxSize();
					if (size > 0 && Date.now() - fired > 5_000) {
						fired = Date.now();
						await fireSync();
					}
					return size;
				},
				{ timeout: 60_000, interval: 250 }
			)
			.toBe(0);

		// No page of the app sent anything after it was left; the worker did.
		expect(pushesFromPage.n).toBe(0);
		expect(await applicationsStored(app)).toHaveLength(1);
	});
});
