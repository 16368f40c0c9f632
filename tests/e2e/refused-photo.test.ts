/**
 * A photo the server refused for good (the sync engine marks every copy `refused`) is
 * flagged by the form itself: Continue on its step, or sending from check-your-answers,
 * asks for another photo instead of sending one the server will refuse again.
 */
import { describe, expect, it } from 'vitest';
import { addDays, todayInKazakhstan } from '../../shared/dates';
import { tradeOutletPermit } from '../../shared/services/trade-outlet-permit';
import { GOOD_PERMIT } from '../support/service-answers';
import { openControlled, useAppAndBrowser } from './harness';
import { fillStep, walkSteps } from './walk';

const app = useAppAndBrowser();
const today = todayInKazakhstan();
const answers = { ...GOOD_PERMIT, startDate: addDays(today, 7), endDate: addDays(today, 180) };

/** Marks every stored copy of the photos as the sync engine does after a refusal. */
function refuseStoredPhotos() {
	return new Promise<void>((resolve, reject) => {
		const request = indexedDB.open('dala');
		request.onerror = () => reject(request.error);
		request.onsuccess = () => {
			const db = request.result;
			const tx = db.transaction('files', 'readwrite');
			const store = tx.objectStore('files');
			const all = store.getAll();
			all.onsuccess = () => {
				for (const row of all.result) store.put({ ...row, state: 'refused' });
			};
			tx.oncomplete = () => (db.close(), resolve());
			tx.onerror = () => reject(tx.error);
		};
	});
}

describe('a photo the server refused', () => {
	it('is flagged by the form before the application is sent again', async () => {
		const { page } = app.browser;
		await openControlled(page, app.server.url);
		await page
			.getByRole('button', { name: `Start : ${tradeOutletPermit.title.en}`, exact: true })
			.click();
		const photos = tradeOutletPermit.steps.at(-1)!;
		await walkSteps(page, tradeOutletPermit, tradeOutletPermit.steps.slice(0, -1), answers);
		await page.getByRole('heading', { name: photos.title.en, level: 1 }).waitFor();
		await fillStep(page, photos.fields, answers);
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.getByRole('heading', { name: 'Check your answers before sending' }).waitFor();

		await page.evaluate(refuseStoredPhotos);
		await page.getByRole('button', { name: 'Accept and send' }).click();
		await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
		await page.getByRole('heading', { name: photos.title.en, level: 1 }).waitFor();
		expect(
			await page.getByRole('link', { name: /was not accepted. Take or choose another/ }).count()
		).toBe(2);
		// Nothing was queued.
		expect(await page.getByText('Waiting to send: 0').isVisible()).toBe(true);
	});
});
