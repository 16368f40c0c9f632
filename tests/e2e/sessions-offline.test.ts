/**
 * Sessions meet the offline loop (issue 21): work queued before anyone signed in waits for
 * a sign-in and then goes once; an access token that ran out while the phone was offline is
 * refreshed without asking anything; a refresh token that ran out too asks the person to
 * sign in again, and the queue waits for it, whole. The server requires a session on every
 * sync call, so nothing here is sent without one.
 */
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../sync-server/db/open';
import {
	completeSignIn,
	fillApplication,
	personIin,
	signIn,
	startApplication,
	submitApplication
} from './fill';
import {
	applicationsStored,
	launchBrowser,
	openControlled,
	startServer,
	type Browser,
	type RunningServer
} from './harness';
import { storedSession } from './stored';

let app: { server: RunningServer; browser: Browser } | undefined;
afterEach(async () => {
	await app?.browser.close();
	await app?.server.stop();
	app = undefined;
});

async function start(env: Record<string, string> = {}) {
	app = { server: await startServer({ env }), browser: await launchBrowser() };
	await openControlled(app.browser.page, app.server.url);
	return app;
}

/** Fills and submits one application from the catalogue; offline, it is queued. */
async function queueOne(page: Page, url: string): Promise<void> {
	await page.goto(url);
	await startApplication(page);
	await fillApplication(page);
	await submitApplication(page);
	await page.getByRole('heading', { name: 'Application saved' }).waitFor();
}

/** The sync bar, where "Sign in to send" and its link show. */
const syncBar = (page: Page) => page.getByRole('region', { name: 'Connection and sending' });

describe('sessions and the offline loop', () => {
	it('queues with no account, asks to sign in to send, then sends each once', async () => {
		const {
			browser: { page, context },
			server
		} = await start();
		await context.setOffline(true);
		await queueOne(page, server.url);
		await queueOne(page, server.url);
		await expect.poll(() => page.getByText('Waiting to send: 2').isVisible()).toBe(true);

		await context.setOffline(false);
		// The server refuses a sync without a session; the bar says what to do, and offers it.
		await syncBar(page).getByText('Sign in to send').waitFor({ timeout: 15_000 });
		await expect.poll(() => page.getByText('Waiting to send: 2').isVisible()).toBe(true);
		await syncBar(page).getByRole('link', { name: 'Sign in' }).click();
		await completeSignIn(page, server, personIin(140), '40');

		await expect
			.poll(() => page.getByText('Waiting to send: 0').isVisible(), { timeout: 20_000 })
			.toBe(true);
		expect(await applicationsStored(app!)).toHaveLength(2);
	});

	it('refreshes an access token that ran out offline, asking nothing, and sends once', async () => {
		// The shortest access token the server allows: it runs out while the phone is offline.
		const {
			browser: { page, context },
			server
		} = await start({ SESSION_ACCESS_SECONDS: '10' });
		await signIn(page, server, personIin(141), '41');
		const before = (await storedSession(page))!;
		const signInPages: string[] = [];
		page.on('framenavigated', (frame) => {
			if (new URL(frame.url()).pathname.startsWith('/sign-in')) signInPages.push(frame.url());
		});

		await context.setOffline(true);
		await queueOne(page, server.url);
		// Offline until the token has run out (its expiry is in the server's time, which the
		// app keeps within a second or so of this machine's).
		const left = Date.parse(before.accessExpiresAt) - Date.now();
		await page.waitForTimeout(Math.max(0, left) + 1500);
		await context.setOffline(false);

		await page.getByRole('heading', { name: 'Application received' }).waitFor({ timeout: 20_000 });
		const after = (await storedSession(page))!;
		expect(after.accessToken).not.toBe(before.accessToken);
		expect(after.account.id).toBe(before.account.id);
		expect(signInPages).toEqual([]);
		expect(await applicationsStored(app!)).toHaveLength(1);
	});

	it('asks to sign in again when the refresh ran out too, and then sends once', async () => {
		const started = await start();
		const { page, context } = started.browser;
		let server = started.server;
		await signIn(page, server, personIin(142), '42');
		await context.setOffline(true);
		await queueOne(page, server.url);

		// A month offline, in one step: the server is stopped, both tokens of the session are
		// made to have run out in its database, and it starts again where it was.
		await server.stop();
		const database = await openDatabase({ dataDir: server.dataDir });
		await database.db.execute(
			sql`update sessions set access_expires_at = now() - interval '1 second',
				refresh_expires_at = now() - interval '1 second'`
		);
		await database.close();
		server = await startServer({ port: server.port, dataDir: server.dataDir });
		app!.server = server;

		await context.setOffline(false);
		await syncBar(page).getByText('Sign in to send').waitFor({ timeout: 20_000 });
		await expect.poll(() => page.getByText('Waiting to send: 1').isVisible()).toBe(true);
		await syncBar(page).getByRole('link', { name: 'Sign in' }).click();
		await completeSignIn(page, server, personIin(142), '42');

		await expect
			.poll(() => page.getByText('Waiting to send: 0').isVisible(), { timeout: 20_000 })
			.toBe(true);
		expect(await applicationsStored(app!)).toHaveLength(1);
	});
});
