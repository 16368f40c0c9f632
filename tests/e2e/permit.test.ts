/**
 * The permit end to end: filled with no network, two photos taken in the form and kept
 * on the device, a reload half-way, sent; once the link returns the photos upload through
 * a 2G-slow link that is cut half-way through the first, resume from the server's offset,
 * and only then is the application sent and received. The bytes the server got in all stay
 * within 1.1× the photos, and the files it keeps are the ones the device hashed.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInKazakhstan } from '../../shared/dates';
import { tradeOutletPermit } from '../../shared/services/trade-outlet-permit';
import { countingProxy, type CountingProxy } from '../support/counting-proxy';
import { GOOD_PERMIT } from '../support/service-answers';
import { personIin, signIn } from './fill';
import { failedUploadRequests, openControlled, useAppAndBrowser } from './harness';
import { walkSteps } from './walk';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A phone-camera-like JPEG (2400×3200: text on paper with sensor noise, ~2–3 MB), for the
 * device to make small: so the upload is a real ~200 KB photo, not a few kilobytes.
 */
async function cameraFile(page: Page, label: string, seed: number) {
	const base64 = await page.evaluate(
		async ({ label, seed }) => {
			const canvas = new OffscreenCanvas(2400, 3200);
			const g = canvas.getContext('2d')!;
			g.fillStyle = '#efe9dc';
			g.fillRect(0, 0, 2400, 3200);
			g.fillStyle = '#1d1d1d';
			g.font = '56px serif';
			for (let line = 0; line < 40; line++) {
				g.fillText(`${label} · Қазақстан Республикасы · ${line * 7919}`, 100, 160 + line * 76);
			}
			const pixels = g.getImageData(0, 0, 2400, 3200);
			let state = seed;
			for (let i = 0; i < pixels.data.length; i += 4) {
				state = (state * 1103515245 + 12345) & 0x7fffffff;
				const n = ((state >> 16) % 25) - 12;
				for (let c = 0; c < 3; c++) pixels.data[i + c] = pixels.data[i + c]! + n;
			}
			g.putImageData(pixels, 0, 0);
			const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
			const bytes = new Uint8Array(await blob.arrayBuffer());
			let text = '';
			for (const byte of bytes) text += String.fromCharCode(byte);
			return btoa(text);
		},
		{ label, seed }
	);
	return { name: `${label}.jpg`, mimeType: 'image/jpeg', buffer: Buffer.from(base64, 'base64') };
}

interface FileRow {
	sha256: string;
	size: number;
	state: string;
	field: string;
	uploadUrl?: string;
}

/** The device's stored files, read straight from IndexedDB. */
function storedFiles(page: Page): Promise<FileRow[]> {
	return page.evaluate(
		() =>
			new Promise<FileRow[]>((resolve, reject) => {
				const open = indexedDB.open('dala');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const request = open.result.transaction('files').objectStore('files').getAll();
					request.onerror = () => reject(request.error);
					request.onsuccess = () => {
						resolve(
							(request.result as FileRow[]).map(({ sha256, size, state, field, uploadUrl }) => ({
								sha256,
								size,
								state,
								field,
								uploadUrl
							}))
						);
						open.result.close();
					};
				};
			})
	);
}

describe('a permit with two photos, offline, then over a cut 2G link', () => {
	const app = useAppAndBrowser();
	let proxy: CountingProxy;
	beforeAll(async () => {
		proxy = await countingProxy(Number(new URL(app.server.url).port));
	});
	afterAll(() => proxy?.close());

	it('keeps the photos, uploads them resumably, then the permit is received', async () => {
		const { page, context } = app.browser;
		const today = todayInKazakhstan();
		const answers = { ...GOOD_PERMIT, startDate: addDays(today, 7), endDate: addDays(today, 180) };
		const { idDocumentPhoto: _id, sitePhoto: _site, ...typed } = answers;
		const steps = tradeOutletPermit.steps;
		const photoStep = steps.find((s) => s.id === 'photos')!;
		const half = Math.ceil(steps.length / 2);

		await openControlled(page, proxy.url);
		// Signed in while there was a network, so that what is measured below is the photos
		// and the application alone, with no upload refused for want of a session.
		await signIn(page, app.server, personIin(140), '17');
		await context.setOffline(true);
		await page.reload();
		await page.getByRole('heading', { name: 'Government services' }).waitFor();
		await page
			.getByRole('button', { name: `Start : ${tradeOutletPermit.title.en}`, exact: true })
			.click();
		await walkSteps(page, tradeOutletPermit, steps.slice(0, half), typed);

		// The battery runs out half-way: the draft comes back on the same step.
		await page.getByRole('heading', { name: steps[half]!.title.en, level: 1 }).waitFor();
		await page.reload();
		await page.getByRole('heading', { name: steps[half]!.title.en, level: 1 }).waitFor();
		await walkSteps(
			page,
			tradeOutletPermit,
			steps.slice(half).filter((s) => s !== photoStep),
			typed
		);

		// The photos, taken in the form with no network: made small and kept on the device.
		await page.getByRole('heading', { name: photoStep.title.en, level: 1 }).waitFor();
		// A file that is not a photo is turned away on the device, in words, and not kept.
		await page.getByLabel('Photo of your ID card', { exact: true }).setInputFiles({
			name: 'passport.txt',
			mimeType: 'text/plain',
			buffer: Buffer.from('not a photo')
		});
		await page.getByText('The file you chose is not a photo', { exact: false }).waitFor();
		// Nor is one far beyond any phone camera's: it is never decoded on a cheap phone.
		await page.getByLabel('Photo of your ID card', { exact: true }).setInputFiles({
			name: 'scan.jpg',
			mimeType: 'image/jpeg',
			buffer: Buffer.alloc(41 * 1024 * 1024)
		});
		await page.getByText('This photo is too large', { exact: false }).waitFor();
		expect(await storedFiles(page)).toEqual([]);
		for (const [i, field] of ['idDocumentPhoto', 'sitePhoto'].entries()) {
			const label = photoStep.fields.find((f) => f.name === field)!.label.en;
			await page
				.getByLabel(label, { exact: true })
				.setInputFiles(await cameraFile(page, field, i + 3));
			await page.locator(`[id="field-${field}-preview"]`).waitFor({ timeout: 30_000 });
		}
		await expect.poll(async () => (await storedFiles(page)).length).toBe(2);
		// Reloaded with the photos attached: still there.
		await page.reload();
		await page.locator('[id="field-sitePhoto-preview"]').waitFor({ timeout: 15_000 });
		await page.getByRole('button', { name: 'Continue' }).click();

		await page.getByRole('heading', { name: 'Check your answers before sending' }).waitFor();
		await page.getByRole('button', { name: 'Accept and send' }).click();
		await page.getByRole('heading', { name: 'Application saved' }).waitFor();
		await page
			.getByText('Waiting to upload photos. They will be sent when there is a connection.')
			.waitFor();

		const files = await storedFiles(page);
		expect(files.every((f) => f.state === 'waiting')).toBe(true);
		const smallest = Math.min(...files.map((f) => f.size));
		const total = files.reduce((sum, f) => sum + f.size, 0);
		for (const f of files) expect(f.size).toBeLessThanOrEqual(200 * 1024);

		// Back online at ~40 KB/s towards the server: 2G-slow, so the cut lands mid-upload.
		proxy.reset();
		proxy.setRate(40_000);
		await context.setOffline(false);
		await page.getByRole('progressbar', { name: /^All photos:/ }).waitFor({ timeout: 30_000 });
		const deadline = Date.now() + 60_000;
		// Half-way through the first photo, whichever goes first.
		while (proxy.sent < smallest / 2) {
			if (Date.now() > deadline) throw new Error(`stuck at ${proxy.sent} bytes`);
			await sleep(20);
		}
		// The PATCH in flight dies with the link, and the uploader's first retry finds no network.
		const failures = failedUploadRequests(context, 2);
		proxy.setLinkDown(true);
		await context.setOffline(true);
		const atCut = proxy.sent;
		await failures;
		// Held, not refused; the upload URL is kept so the upload resumes.
		const cut = await storedFiles(page);
		expect(cut.every((f) => f.state === 'waiting')).toBe(true);
		expect(cut.some((f) => /\/api\/files\/[0-9a-f]{32}$/.test(f.uploadUrl ?? ''))).toBe(true);
		expect(await page.getByRole('heading', { name: 'Application saved' }).isVisible()).toBe(true);
		proxy.setLinkDown(false);
		await context.setOffline(false);

		await page.getByRole('heading', { name: 'Application received' }).waitFor({ timeout: 90_000 });
		const uploads = proxy.requests.filter((r) => r.includes('/api/files'));
		console.log(
			`permit: ${proxy.sent} B to the server for ${total} B of photos ` +
				`(${(proxy.sent / total).toFixed(3)}×), cut at ${atCut} B; ${proxy.requests.join(', ')}`
		);
		// Each photo's upload created once and resumed after the cut, never started again.
		expect(uploads.filter((r) => r.startsWith('POST'))).toHaveLength(2);
		expect(uploads.filter((r) => r.startsWith('HEAD')).length).toBeGreaterThanOrEqual(1);
		// Everything the server received, the push and pulls included.
		expect(proxy.sent).toBeLessThanOrEqual(1.1 * total);
		expect((await storedFiles(page)).every((f) => f.state === 'uploaded')).toBe(true);

		// The server keeps exactly the bytes the device hashed.
		const directory = join(app.server.dataDir, 'files');
		const names = (await readdir(directory)).filter((name) => !name.endsWith('.json'));
		const hashes = await Promise.all(
			names.map(async (name) =>
				createHash('sha256')
					.update(await readFile(join(directory, name)))
					.digest('hex')
			)
		);
		expect(hashes.sort()).toEqual(files.map((f) => f.sha256).sort());
	});
});
