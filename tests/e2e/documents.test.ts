/**
 * Issued documents on the phone (issue 23): an entrepreneur registration made offline is
 * registered by rule the moment it syncs, its document appears with no one in the office
 * doing anything, prints as the document alone, and a second phone with no network says
 * the printed code is genuine, and that a changed one is not.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { violationsInEveryLanguage } from './axe';
import {
	fillApplication,
	GOOD_ANSWERS,
	LOW_RISK_ACTIVITY,
	personIin,
	signIn,
	startApplication,
	submitApplication
} from './fill';
import { launchBrowser, openControlled, useAppAndBrowser } from './harness';
import { documentOnPhone } from './stored';

const app = useAppAndBrowser();
let documentUrl = '';
let code = '';

beforeAll(async () => {
	const { page, context } = app.browser;
	await openControlled(page, app.server.url);
	await signIn(page, app.server, personIin(230), '62');
	await context.setOffline(true);
	await page.goto(app.server.url);
	await startApplication(page);
	await fillApplication(page, { ...GOOD_ANSWERS, activity: LOW_RISK_ACTIVITY });
	await submitApplication(page);
	await page.getByRole('heading', { name: 'Application saved' }).waitFor();
}, 90_000);

describe('a document issued by rule', () => {
	it('appears once the phone is online, with no one in the office doing anything', async () => {
		const { page, context } = app.browser;
		await context.setOffline(false);
		// The push's answer is the receipt; the decision arrives by the pull of the same sync.
		await page.getByRole('heading', { name: 'Approved', level: 1 }).waitFor({ timeout: 20_000 });
		await page.getByRole('heading', { name: 'Your document is ready' }).waitFor();
		await page.getByRole('link', { name: 'View and print the document' }).click();
		await page
			.getByRole('heading', {
				name: 'Acknowledgement of the notification of the start of business',
				level: 1
			})
			.waitFor();
		documentUrl = page.url();
		const shown = (await page.locator('.document').textContent())!;
		expect(shown).toContain(GOOD_ANSWERS.fullName);
		expect(shown).toContain(GOOD_ANSWERS.iin);
		expect(shown).toContain('Retail trade');
		expect(shown).toMatch(/№ DLD-\d{7}/);
		expect(shown).toContain('State Revenue Committee');
		// Never the phone number on a document.
		expect(shown).not.toContain('701');
		code = await documentOnPhone(page);
		expect(code).toMatch(/^DL1:/);
		// The sync also brought the keys to check documents with, for /verify offline.
		await expect
			.poll(() => page.evaluate(() => localStorage.getItem('dala.trust-list')))
			.not.toBeNull();
	});

	it('prints the document alone, on one A4 page, its code at least 35 mm wide', async () => {
		const { page } = app.browser;
		await page.emulateMedia({ media: 'print' });
		try {
			for (const hidden of [
				page.getByRole('button', { name: 'Print or save as PDF' }),
				page.getByRole('link', { name: 'My applications' }),
				page.getByRole('region', { name: 'Connection and sending' })
			]) {
				expect(await hidden.isVisible()).toBe(false);
			}
			expect(await page.locator('.document').isVisible()).toBe(true);
			// 35 mm at CSS's 96 px per 25.4 mm.
			const width = await page.locator('.document svg').evaluate((svg) => svg.clientWidth);
			expect(width).toBeGreaterThanOrEqual(Math.floor((35 * 96) / 25.4));
			const shot = join(tmpdir(), `dala-printed-${process.pid}.png`);
			await writeFile(shot, await page.screenshot({ fullPage: true }));
		} finally {
			// null, not 'screen': an emulated screen would also be what page.pdf prints.
			await page.emulateMedia({ media: null });
		}
		// The browser's own print to PDF: the document alone fits one page.
		const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
		expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
	});

	it('a second phone with no network says the code is genuine, and a changed one is not', async () => {
		const other = await launchBrowser();
		try {
			await openControlled(other.page, `${app.server.url}/verify`);
			await expect
				.poll(() => other.page.evaluate(() => localStorage.getItem('dala.trust-list')))
				.not.toBeNull();
			const verdict = async (text: string) => {
				await other.page.getByLabel('Text of the code').fill(text);
				await other.page.getByRole('button', { name: 'Check', exact: true }).click();
				const heading = other.page
					.getByRole('region', { name: 'Result of the check' })
					.getByRole('heading', { level: 2 });
				await heading.waitFor();
				return (await heading.textContent())!.trim();
			};
			// Online, the register is asked too, by the number and IIN printed on the paper.
			expect(await verdict(code)).toBe('Genuine');
			await other.page.getByText('The register confirms it').waitFor();
			await other.context.setOffline(true);
			await other.page.reload();
			expect(await verdict(code)).toBe('Genuine');
			expect(await other.page.getByText('The register confirms it').count()).toBe(0);
			const middle = Math.floor(code.length / 2);
			const changed =
				code.slice(0, middle) + (code[middle] === 'A' ? 'B' : 'A') + code.slice(middle + 1);
			expect(await verdict(changed)).not.toBe('Genuine');
		} finally {
			await other.close();
		}
	});

	it('is accessible in every language, and stays there offline', async () => {
		const { page, context } = app.browser;
		await context.setOffline(true);
		try {
			await page.goto(documentUrl);
			await page.locator('.document').waitFor();
			expect(await violationsInEveryLanguage(page, 'document')).toEqual([]);
		} finally {
			await context.setOffline(false);
		}
	});
});
