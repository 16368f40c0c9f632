import { describe, expect, it } from 'vitest';
import { useAppAndBrowser } from './harness';

const app = useAppAndBrowser();

describe('the devices page', () => {
	it('cannot be framed by another page', async () => {
		const { page, violations } = app.browser;
		const target = `${app.server.url}/devices`;
		// A page of another origin (about:blank, opaque) that frames the devices page.
		await page.setContent(`<iframe title="framed" src="${target}"></iframe>`);
		await expect
			.poll(() => violations.some((v) => v.includes('frame-ancestors')), { timeout: 15_000 })
			.toBe(true);
		// The violation was the point of this test; the watcher must not fail it.
		violations.splice(0);
		const frame = page.frames().find((f) => f !== page.mainFrame());
		expect(frame?.url()).not.toBe(target);
		const heading = page.frameLocator('iframe').getByRole('heading', { name: 'Your devices' });
		expect(await heading.count()).toBe(0);
	});
});
