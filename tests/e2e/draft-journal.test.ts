import { describe, expect, it } from 'vitest';
import { startApplication } from './fill';
import { openControlled, useAppAndBrowser } from './harness';

const app = useAppAndBrowser();

describe('a reload right after a keystroke', () => {
	it('keeps the last character typed', async () => {
		const { page } = app.browser;
		await openControlled(page, app.server.url);
		await startApplication(page);

		const name = page.getByLabel('Full name', { exact: true });
		await name.click();
		await page.keyboard.type('Сейтқали Айгүл');
		// No wait for IndexedDB: the reload races the last keystroke's write on purpose.
		await page.reload();

		await expect.poll(() => name.inputValue()).toBe('Сейтқали Айгүл');
		// Once restored, the journal is gone and the device database holds the answer.
		await expect
			.poll(() =>
				page.evaluate(() =>
					Object.keys(localStorage).filter((key) => key.startsWith('dala.draft-journal.'))
				)
			)
			.toEqual([]);

		// The drafts list names the form version the draft was started on.
		await page.goto(`${app.server.url}/applications`);
		await expect
			.poll(() => page.getByText('Form version 2', { exact: true }).isVisible())
			.toBe(true);
	});
});
