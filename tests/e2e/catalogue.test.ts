import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentServices, SERVICES } from '../../shared/services/catalog';
import { specOf } from '../../shared/services/definition-schema';
import {
	launchBrowser,
	openControlled,
	startServer,
	type Browser,
	type RunningServer
} from './harness';

let server: RunningServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'dala-catalogue-e2e-'));
	server = await startServer();
	browser = await launchBrowser();
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
	await rm(dir, { recursive: true, force: true });
});

interface Stored {
	etag: string;
	fetchedAt: number;
	checkedAt: number;
}

/** The catalogue the device keeps (without its services), or null while it has none. */
function stored(page: Page): Promise<Stored | null> {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('dala');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		try {
			if (!db.objectStoreNames.contains('catalogue')) return null;
			const row = await new Promise<Stored | undefined>((resolve, reject) => {
				const request = db.transaction('catalogue').objectStore('catalogue').get('published');
				request.onsuccess = () => resolve(request.result as Stored | undefined);
				request.onerror = () => reject(request.error);
			});
			return row ? { etag: row.etag, fetchedAt: row.fetchedAt, checkedAt: row.checkedAt } : null;
		} finally {
			db.close();
		}
	});
}

/** The home page card of the service titled `title` (English). */
const card = (page: Page, title: string) =>
	page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title, level: 2 }) });

describe('the catalogue on the device', () => {
	it('is fetched online, works offline, and follows what the server publishes', async () => {
		const { page, context } = browser;
		await openControlled(page, server.url);
		const etag = async () => (await stored(page))?.etag;
		await expect.poll(etag, { timeout: 10_000 }).toMatch(/^"[\w-]{43}(-gzip)?"$/);
		const first = (await stored(page))!;
		// A reload revalidates: the server answers 304, and only the check time moves.
		await page.reload();
		await expect
			.poll(async () => (await stored(page))!.checkedAt, { timeout: 10_000 })
			.toBeGreaterThan(first.checkedAt);
		expect(await stored(page)).toMatchObject({ etag: first.etag, fetchedAt: first.fetchedAt });
		await expect
			.poll(() => card(page, 'Register a birth').getByText('Form version 1').isVisible())
			.toBe(true);

		// Offline, from the cached shell and the stored catalogue: every service starts.
		await context.setOffline(true);
		for (const service of currentServices()) {
			await page.goto(server.url);
			const title = service.title.en.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
			await page.getByRole('button', { name: new RegExp(`: ${title}$`) }).click();
			await page.getByRole('heading', { name: service.steps[0]!.title.en, level: 1 }).waitFor();
		}

		// The next release publishes version 2 of birth registration and retires version 1.
		const published = [
			...SERVICES.filter((s) => s.id !== 'birth-registration').map(specOf),
			...SERVICES.filter((s) => s.id === 'birth-registration').flatMap((s) => [
				{ ...specOf(s), supported: false },
				{ ...specOf(s), version: 2 }
			])
		];
		const file = join(dir, 'services.json');
		await writeFile(file, JSON.stringify(published));
		await server.stop();
		server = await startServer({
			port: server.port,
			dataDir: server.dataDir,
			env: { DALA_SERVICES: file }
		});

		await page.goto(server.url);
		await context.setOffline(false);
		// Coming online syncs, and every sync pass ends by revalidating the catalogue.
		await expect.poll(etag, { timeout: 15_000 }).not.toBe(first.etag);
		await expect
			.poll(() => card(page, 'Register a birth').getByText('Form version 2').isVisible())
			.toBe(true);
		expect(await card(page, 'Register a birth').getByText('Form version 1').count()).toBe(0);
	});
});
