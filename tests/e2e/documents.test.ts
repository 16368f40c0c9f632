/**
 * Issued documents on the phone (issue 23): an entrepreneur registration made offline is
 * registered by rule the moment it syncs, its document appears with no one in the office
 * doing anything, prints as the document alone, and a second phone with no network says
 * the printed code is genuine, read from a photo of the printed page, through its camera
 * pointed at it, or pasted, and that a changed one is not.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
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
let documentNumber = '';
let dir = '';
/** The printed page as a photo of it (PNG), and as a camera's frame of it (JPEG). */
let printedPhoto = '';
let printedFrame = '';

/**
 * Full-page screenshots of `page` as it stands, as a photo (PNG) and a camera's frame
 * (JPEG), drawn afresh at 2 device pixels per CSS pixel, as a sharper screen or a camera
 * nearer the paper sees it: at 1, a module of the printed code is under 2 px, which ZXing
 * may read but with no margin. (Playwright's screenshot draws at the context's scale, and
 * ignores another session's override of it; Chromium's own command takes a scale.)
 */
async function screenshotsAt2x(page: Page): Promise<{ png: Buffer; jpeg: Buffer }> {
	const cdp = await page.context().newCDPSession(page);
	try {
		// Measured once: a capture beyond the viewport can leave the page measuring taller.
		const { cssContentSize } = await cdp.send('Page.getLayoutMetrics');
		const clip = { x: 0, y: 0, width: cssContentSize.width, height: cssContentSize.height };
		const shot = async (format: 'png' | 'jpeg') =>
			Buffer.from(
				(
					await cdp.send('Page.captureScreenshot', {
						format,
						...(format === 'jpeg' ? { quality: 90 } : {}),
						captureBeyondViewport: true,
						clip: { ...clip, scale: 2 }
					})
				).data,
				'base64'
			);
		return { png: await shot('png'), jpeg: await shot('jpeg') };
	} finally {
		await cdp.detach();
	}
}

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'dala-documents-'));
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
afterAll(() => rm(dir, { recursive: true, force: true }));

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
		documentNumber = /№ (DLD-\d{7})/.exec(shown)?.[1] ?? '';
		expect(documentNumber).not.toBe('');
		expect(shown).toContain('State Revenue Committee');
		// Never the phone number on a document. (Its lines only: the check's address has a port.)
		expect(await page.locator('.document dl').allTextContents()).not.toContainEqual(
			expect.stringContaining('701')
		);
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
			// The printed page photographed, and as a camera's frame: what the second phone reads.
			const { png, jpeg } = await screenshotsAt2x(page);
			// PNG's width, at bytes 16–19: two pixels for each CSS pixel of the phone's width.
			expect(png.readUInt32BE(16)).toBe(2 * page.viewportSize()!.width);
			printedPhoto = join(dir, 'printed.png');
			await writeFile(printedPhoto, png);
			// Chromium's fake camera plays an MJPEG file: one frame, the printed page.
			printedFrame = join(dir, 'printed.mjpeg');
			await writeFile(printedFrame, jpeg);
		} finally {
			// null, not 'screen': an emulated screen would also be what page.pdf prints.
			await page.emulateMedia({ media: null });
		}
		// The browser's own print to PDF: the document alone fits one page.
		const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
		expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
	});

	it('a second phone with no network says the printed code is genuine, from a photo of the page, through its camera, or pasted; a changed one is not', async () => {
		// Its camera sees the printed page (Chromium's fake camera, playing the page's frame).
		const other = await launchBrowser({
			args: [
				'--use-fake-device-for-media-stream',
				'--use-fake-ui-for-media-stream',
				`--use-file-for-fake-video-capture=${printedFrame}`
			]
		});
		try {
			const { page } = other;
			const result = page.getByRole('region', { name: 'Result of the check' });
			const heading = result.getByRole('heading', { level: 2 });
			const verdict = async (text: string) => {
				await page.getByLabel('Text of the code').fill(text);
				await page.getByRole('button', { name: 'Check', exact: true }).click();
				await heading.waitFor();
				return (await heading.textContent())!.trim();
			};
			/** The verdict on a photo of the printed page; it must name this document and holder. */
			const fromPhoto = async () => {
				await page.getByLabel('Choose a photo').setInputFiles(printedPhoto);
				await result.getByRole('heading', { name: 'Genuine' }).waitFor({ timeout: 30_000 });
				return (await result.textContent())!;
			};
			await openControlled(page, `${app.server.url}/verify`);
			await expect
				.poll(() => page.evaluate(() => localStorage.getItem('dala.trust-list')))
				.not.toBeNull();
			// Read once online: the decoder is fetched on first use, and kept for offline.
			const online = await fromPhoto();
			expect(online).toContain(documentNumber);
			expect(online).toContain(GOOD_ANSWERS.fullName);
			// Online, the register is asked too, by the number and IIN printed on the paper.
			expect(await verdict(code)).toBe('Genuine');
			await page.getByText('The register confirms it').waitFor();

			await other.context.setOffline(true);
			await page.reload();
			const offline = await fromPhoto();
			expect(offline).toContain(documentNumber);
			expect(offline).not.toContain('The register confirms it');
			expect(offline).toContain('No internet: keys kept');
			await page.reload();
			// The camera this Chromium has: ZXing reads its frames (it has no BarcodeDetector).
			expect(await page.evaluate(() => 'BarcodeDetector' in window)).toBe(false);
			await page.getByRole('button', { name: 'Scan with the camera' }).click();
			await heading.waitFor({ timeout: 30_000 });
			expect((await heading.textContent())!.trim()).toBe('Genuine');
			expect(await result.textContent()).toContain(documentNumber);
			await expect.poll(() => page.locator('video').count()).toBe(0);

			await page.reload();
			expect(await verdict(code)).toBe('Genuine');
			expect(await page.getByText('The register confirms it').count()).toBe(0);
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
