/**
 * A photo taken on the device is made small, stripped of its EXIF, kept in IndexedDB and
 * uploaded over tus through a 2G-slow link that is cut half-way; after the link returns
 * the upload resumes from the server's offset instead of starting again. The bytes the
 * server received in all (headers included) stay within 1.1× the file, and the file it
 * stored is the one the device hashed.
 *
 * The module under test (app/lib/files) is not wired into a form yet, so the test bundles
 * it and imports it into the running app's page from a Blob URL: the same origin, the same
 * IndexedDB, the same server, and nothing test-only in the build.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingProxy, type CountingProxy } from '../support/counting-proxy';
import { personIin, signIn } from './fill';
import { bundleFilesModule } from './files/bundle';
import {
	cameraPhoto,
	importScript,
	prepareAndStore,
	serverStatus,
	startUpload,
	storedState,
	type InPage
} from './files/in-page';
import { failedUploadRequests, useAppAndBrowser } from './harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a photo upload cut half-way', () => {
	const app = useAppAndBrowser({ browser: { injectsTestCode: true } });
	let proxy: CountingProxy;
	let moduleCode: string;
	beforeAll(async () => {
		proxy = await countingProxy(Number(new URL(app.server.url).port));
		moduleCode = await bundleFilesModule();
	});
	afterAll(() => proxy?.close());

	it('resumes from the server’s offset, sending ≤ 1.1× the file, and stores the same bytes', async () => {
		const { page, context } = app.browser;
		await page.goto(proxy.url);
		// Uploads carry the person's session: signed in in the app, as before sending a photo.
		await signIn(page, app.server, personIin(160), '19');
		await page.evaluate(importScript(moduleCode));

		const original = await page.evaluate(cameraPhoto, {});
		expect(original.hasExif).toBe(true);
		const prepared = await page.evaluate(prepareAndStore);
		console.log(
			`photo: ${original.size} B 3000×4000 → ${prepared.size} B ` +
				`${prepared.image.width}×${prepared.image.height} at quality ${prepared.image.quality}`
		);
		expect(prepared.size).toBeLessThanOrEqual(200 * 1024);
		expect(prepared.image.quality).toBeGreaterThanOrEqual(0.5);
		expect(prepared.hasExif).toBe(false);

		// About 40 KB/s towards the server: 2G-slow, so the cut lands inside the upload.
		proxy.reset();
		proxy.setRate(40_000);
		await page.evaluate(startUpload);
		const deadline = Date.now() + 60_000;
		while (proxy.sent < prepared.size / 2) {
			if (Date.now() > deadline) throw new Error(`stuck at ${proxy.sent} bytes`);
			await sleep(20);
		}
		// The link drops: the PATCH in flight dies, and nothing gets through until it is back.
		// The PATCH in flight dies with the link, and the uploader's first retry finds no network.
		const failures = failedUploadRequests(context, 2);
		proxy.setLinkDown(true);
		await context.setOffline(true);
		const atCut = proxy.sent;
		await failures;
		// Still queued, and the upload URL kept: a reload now would resume from it too.
		const waiting = await page.evaluate(storedState);
		expect(waiting.state).toBe('waiting');
		expect(waiting.uploadUrl).toMatch(/\/api\/files\/[0-9a-f]{32}$/);
		proxy.setLinkDown(false);
		await context.setOffline(false);

		await page.waitForFunction(() => (globalThis as unknown as InPage).result, undefined, {
			timeout: 60_000
		});
		expect(await page.evaluate(() => (globalThis as unknown as InPage).result)).toBe('uploaded');
		const requests = proxy.requests.filter((r) => r.includes('/api/files'));
		console.log(
			`upload: ${proxy.sent} B to the server for a ${prepared.size} B file ` +
				`(${(proxy.sent / prepared.size).toFixed(3)}×), cut at ${atCut} B; ${requests.join(', ')}`
		);
		// One upload created, resumed after the cut (HEAD), never started again.
		expect(requests.filter((r) => r.startsWith('POST'))).toHaveLength(1);
		expect(requests.filter((r) => r.startsWith('HEAD')).length).toBeGreaterThanOrEqual(1);
		expect(proxy.sent).toBeLessThanOrEqual(1.1 * prepared.size);

		// The server says so, and the bytes it keeps are the device's.
		expect(await page.evaluate(serverStatus, prepared.sha256)).toEqual({
			sha256: prepared.sha256,
			size: prepared.size,
			type: 'image/jpeg',
			verified: true
		});
		const directory = join(app.server.dataDir, 'files');
		const names = (await readdir(directory)).filter((name) => !name.endsWith('.json'));
		const hashes = await Promise.all(
			names.map(async (name) =>
				createHash('sha256')
					.update(await readFile(join(directory, name)))
					.digest('hex')
			)
		);
		expect(hashes).toEqual([prepared.sha256]);
	});
});
