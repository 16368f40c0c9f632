/**
 * `/verify` in real Chromium: a document the server issued by rule is checked by pasting
 * its code, from a photo of its QR code, and through the camera; a forged or foreign code
 * never reads as genuine; a second phone that opened the page once online checks offline.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { encode } from 'uqr';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { base45 } from '../../shared/documents/base45';
import { CODE_PREFIX } from '../../shared/documents/code';
import { toKz1048 } from '../../shared/documents/kz1048';
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
let code = '';
let dir = '';

/**
 * The code with the holder's name changed inside the signed claims, re-packed as a forger
 * would: every character still reads, only the signature no longer holds. (A character
 * changed in the text itself breaks the zlib checksum first, which reads as unreadable.)
 */
function forged(text: string): string {
	const cose = inflateSync(base45.decode(text.slice(CODE_PREFIX.length)) as Uint8Array);
	// Names travel in KZ-1048 (docs/documents.md), a byte a letter.
	const [real, fake] = [Buffer.from(toKz1048('Айгүл')!), Buffer.from(toKz1048('Айгал')!)];
	expect(real.length).toBe(fake.length);
	const at = cose.indexOf(real);
	expect(at).toBeGreaterThan(0);
	fake.copy(cose, at);
	return CODE_PREFIX + base45.encode(deflateSync(cose));
}

/** Pastes `text` on /verify and checks it; resolves with the verdict's heading once shown. */
async function paste(page: Page, text: string): Promise<string> {
	const heading = page.getByRole('region', { name: 'Result of the check' }).getByRole('heading', {
		level: 2
	});
	// A verdict belongs to the text it checked: typing clears it.
	await page.getByLabel('Text of the code').fill(text);
	await heading.waitFor({ state: 'detached' });
	await page.getByRole('button', { name: 'Check', exact: true }).click();
	await heading.waitFor();
	return (await heading.textContent())!.trim();
}

/**
 * `text` as a printed QR code would photograph: drawn as an SVG in a page of its own and
 * screenshot, as PNG or as JPEG (a camera's frame). Returns the file's path.
 */
async function qrPicture(text: string, type: 'png' | 'jpeg', name: string): Promise<string> {
	const { data, size } = encode(text, { ecc: 'Q', border: 4 });
	const cells = data
		.flatMap((row, y) =>
			row.map((dark, x) => (dark ? `<rect x="${x}" y="${y}" width="1" height="1"/>` : ''))
		)
		.join('');
	const page = await app.browser.context.newPage();
	try {
		await page.setContent(
			`<body style="margin:0;background:#fff"><svg xmlns="http://www.w3.org/2000/svg" ` +
				`width="640" height="640" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges">` +
				`<rect width="${size}" height="${size}" fill="#fff"/>${cells}</svg></body>`
		);
		const path = join(dir, name);
		await page
			.locator('svg')
			.screenshot({ path, type, ...(type === 'jpeg' ? { quality: 90 } : {}) });
		return path;
	} finally {
		await page.close();
	}
}

const result = (page: Page) => page.getByRole('region', { name: 'Result of the check' });

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'dala-verify-'));
	const { page } = app.browser;
	await openControlled(page, app.server.url);
	await signIn(page, app.server, personIin(160), '61');
	await startApplication(page);
	await fillApplication(page, { ...GOOD_ANSWERS, activity: LOW_RISK_ACTIVITY });
	await submitApplication(page);
	// Registered by rule as it syncs: the page may say received or already approved.
	code = await documentOnPhone(page);
}, 60_000);

describe('checking a document on /verify', () => {
	it('says a pasted genuine code is genuine, with the holder and the keys it used', async () => {
		const { page } = app.browser;
		await page.goto(`${app.server.url}/verify`);
		await page.getByRole('heading', { name: 'Check a document', level: 1 }).waitFor();
		expect(await paste(page, code)).toBe('Genuine');
		await expect
			.poll(() => page.evaluate(() => document.activeElement?.textContent))
			.toBe('Genuine');
		const shown = (await result(page).textContent())!;
		expect(shown).toContain(GOOD_ANSWERS.fullName);
		expect(shown).toContain(GOOD_ANSWERS.iin);
		expect(shown).toContain('Compare with the holder’s ID card');
		expect(shown).toMatch(/Keys checked \d\d\.\d\d\.\d{4} \d\d:\d\d/);
		expect(shown).toContain('DLD-');
	});

	it('never says genuine to a forged, changed, foreign or cut-short code', async () => {
		const { page } = app.browser;
		await page.goto(`${app.server.url}/verify`);
		expect(await paste(page, forged(code))).toBe('Not genuine');
		expect(await result(page).textContent()).toContain('Do not accept it');
		const middle = Math.floor(code.length / 2);
		const changed =
			code.slice(0, middle) + (code[middle] === 'A' ? 'B' : 'A') + code.slice(middle + 1);
		expect(await paste(page, changed)).not.toBe('Genuine');
		expect(await paste(page, 'https://example.com')).toBe('Not a Dala code');
		expect(await paste(page, 'HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH')).toBe('Not a Dala code');
		// Polled: the verdict before was another, and the heading is reused, not replaced.
		const verdictOf = async (text: string) => {
			await page.getByLabel('Text of the code').fill(text);
			await page.getByRole('button', { name: 'Check', exact: true }).click();
		};
		const shownVerdict = () => result(page).getByRole('heading', { level: 2 }).textContent();
		await verdictOf(`${code.slice(0, 60)}é`);
		await expect.poll(shownVerdict).toBe('Cannot be read');
		// Cut short: which of the two depends on where the cut falls in base45's groups.
		await verdictOf(code.slice(0, 60));
		await expect.poll(shownVerdict).toMatch(/^(Cannot be read|Not genuine)$/);
	});

	it('is accessible empty, genuine and not genuine, in every language', async () => {
		const { page } = app.browser;
		await page.goto(`${app.server.url}/verify`);
		const found = await violationsInEveryLanguage(page, 'verify, empty');
		await paste(page, code);
		found.push(...(await violationsInEveryLanguage(page, 'verify, genuine')));
		await paste(page, forged(code));
		found.push(...(await violationsInEveryLanguage(page, 'verify, not genuine')));
		expect(found).toEqual([]);
	});

	it('checks offline with the kept keys on a phone that opened it once online', async () => {
		const other = await launchBrowser();
		try {
			await openControlled(other.page, `${app.server.url}/verify`);
			await other.page.getByLabel('Text of the code').waitFor();
			await expect
				.poll(() => other.page.evaluate(() => localStorage.getItem('dala.trust-list')))
				.not.toBeNull();
			// The page's own files, fetched before the worker took it, kept once it asked.
			await expect
				.poll(() =>
					other.page.evaluate(
						async () => (await (await caches.open('dala-once-visited')).keys()).length
					)
				)
				.toBeGreaterThan(0);
			// The decoder too, kept by the worker as this page loads it: read a photo once online.
			const photo = await qrPicture(code, 'png', 'offline.png');
			await other.page.getByLabel('Choose a photo').setInputFiles(photo);
			await result(other.page)
				.getByRole('heading', { name: 'Genuine' })
				.waitFor({ timeout: 30_000 });
			await expect
				.poll(() =>
					other.page.evaluate(async () =>
						(await (await caches.open('dala-once-visited')).keys()).map((r) => r.url)
					)
				)
				.toContainEqual(
					expect.stringMatching(/\/_app\/immutable\/assets\/zxing_reader\.[\w-]+\.wasm$/)
				);
			await other.context.setOffline(true);
			await other.page.reload();
			expect(await paste(other.page, code)).toBe('Genuine');
			expect(await result(other.page).textContent()).toContain('No internet: keys kept');
			await other.page.reload();
			await other.page.getByLabel('Choose a photo').setInputFiles(photo);
			await result(other.page)
				.getByRole('heading', { name: 'Genuine' })
				.waitFor({ timeout: 30_000 });
		} finally {
			await other.close();
		}
	});

	it('reads the code from a photo of its QR code, and says when a photo has none', async () => {
		const { page } = app.browser;
		await page.goto(`${app.server.url}/verify`);
		const photo = page.getByLabel('Choose a photo');
		await photo.setInputFiles(await qrPicture(code, 'png', 'document.png'));
		const heading = result(page).getByRole('heading', { level: 2 });
		await heading.waitFor({ timeout: 30_000 });
		expect((await heading.textContent())!.trim()).toBe('Genuine');
		expect(await result(page).textContent()).toContain(GOOD_ANSWERS.fullName);

		// A picture with no code, and a file that is no picture at all.
		await photo.setInputFiles(await blankPng());
		await page.getByRole('alert').filter({ hasText: 'No code found in this photo' }).waitFor();
		await expect.poll(() => result(page).textContent()).not.toContain('Genuine');
		const garbage = join(dir, 'garbage.png');
		writeFileSync(garbage, Buffer.from('not a picture at all, only words'));
		await photo.setInputFiles(garbage);
		await page.getByRole('alert').filter({ hasText: 'could not be opened as a picture' }).waitFor();
	});

	it('reads the code through the camera (ZXing: this Chromium has no BarcodeDetector)', async () => {
		// Chromium's fake camera plays an MJPEG file: one frame, a photo of the QR code.
		const frame = await qrPicture(code, 'jpeg', 'frame.jpeg');
		const video = join(dir, 'camera.mjpeg');
		writeFileSync(video, readFileSync(frame));
		const phone = await launchBrowser({
			args: [
				'--use-fake-device-for-media-stream',
				'--use-fake-ui-for-media-stream',
				`--use-file-for-fake-video-capture=${video}`
			]
		});
		try {
			const { page } = phone;
			await page.goto(`${app.server.url}/verify`);
			expect(await page.evaluate(() => 'BarcodeDetector' in window)).toBe(false);
			await page.getByRole('button', { name: 'Scan with the camera' }).click();
			const heading = result(page).getByRole('heading', { level: 2 });
			await heading.waitFor({ timeout: 30_000 });
			expect((await heading.textContent())!.trim()).toBe('Genuine');
			expect(await result(page).textContent()).toContain(GOOD_ANSWERS.fullName);
			// The camera is off once the code is read.
			await expect.poll(() => page.locator('video').count()).toBe(0);
			await page.getByRole('button', { name: 'Scan with the camera' }).waitFor();
		} finally {
			await phone.close();
		}
	});
});

/** A white PNG with no code in it. */
async function blankPng(): Promise<string> {
	const page = await app.browser.context.newPage();
	try {
		await page.setContent(
			'<body style="margin:0"><div style="width:400px;height:400px;background:#fff"></div></body>'
		);
		const path = join(dir, 'blank.png');
		await page.locator('div').screenshot({ path });
		return path;
	} finally {
		await page.close();
	}
}
