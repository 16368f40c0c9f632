/**
 * Sync under the person's session (protocol 3, issue 21): every push, pull and refresh the
 * app sends shows the access token; one that expired is refreshed silently, once, however
 * many callers saw it expire; one whose refresh expired too stops sending with "sign in
 * to send" and loses nothing, and a sign-in sends it all once; a revoked device keeps
 * nothing of the person. The
 * server is the real one on PGlite, reached through `app.request` in place of the network.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { confirmSignInCode, requestSignInCode } from '../../app/lib/accounts/citizen-sign-in';
import { readSession } from '../../app/lib/db/session-store';
import { sessionTokens } from '../../app/lib/sync/session-tokens';
import { getMeta, openDatabase, type DalaDatabase } from '../../app/lib/db/database';
import { deviceIdentity } from '../../app/lib/sync/device';
import { SyncEngine } from '../../app/lib/sync/engine';
import { httpTransport } from '../../app/lib/sync/transport';
import { createApp } from '../../sync-server/app';
import { openDatabase as openServerDatabase, type OpenDatabase } from '../../sync-server/db/open';
import { applications, sessions } from '../../sync-server/db/schema';
import { createLogger } from '../../sync-server/http/log';
import { inboxAccounts } from '../support/inbox-accounts';
import { queueApplications } from '../support/queue-applications';
import { withCheckDigit } from '../support/service-answers';

let server: OpenDatabase;
beforeAll(async () => {
	server = await openServerDatabase({ dataDir: 'memory://' });
}, 60_000);
afterAll(() => server?.close());

let db: DalaDatabase;
let n = 0;
beforeEach(async () => {
	db = openDatabase(`session-sync-test-${n++}`);
	await db.open();
});
afterEach(() => db.delete());

/** The server's app with an inbox for codes, and a fetch into it that records each call. */
/** `hold`: awaited before each call is answered, to order a test's calls. */
function world(hold: (path: string) => Promise<void> = async () => {}) {
	const inbox = inboxAccounts();
	const app = createApp({
		db: server.db,
		log: createLogger({ level: 'silent' }),
		accounts: inbox.accounts
	});
	const calls: { path: string; authorization: string | null; refused?: string }[] = [];
	const fetch = async (url: string, init: RequestInit) => {
		await hold(new URL(url).pathname);
		const response = await app.request(url, init);
		const call = {
			path: new URL(url).pathname,
			authorization: new Headers(init.headers).get('Authorization')
		};
		const refused = response.ok
			? undefined
			: ((await response.clone().json()) as { error: { code: string } }).error.code;
		calls.push({ ...call, ...(refused ? { refused } : {}) });
		return response;
	};
	const options = { baseUrl: 'http://dala.test', fetch };
	return {
		options,
		calls,
		async signIn(iin: string) {
			const asked = await requestSignInCode(db, { iin, phone: '+77011112233' }, options);
			return confirmSignInCode(db, { challengeId: asked.challengeId, code: inbox.last() }, options);
		},
		async engine(scheduleRetry: (delay: number) => void = () => {}) {
			const device = await deviceIdentity(db);
			const session = sessionTokens(db, device, options);
			return new SyncEngine({
				db,
				transport: httpTransport(device, { ...options, session }),
				scheduleRetry
			});
		}
	};
}

let people = 0;
const nextIin = () => withCheckDigit(`88${String(people++).padStart(5, '0')}`);

/** Ends the access (and, with `refresh`, the refresh) token of `accessToken`'s session. */
async function expire(accessToken: string, refresh = false) {
	const session = (await readSession(db))!;
	expect(session.accessToken).toBe(accessToken);
	await server.db
		.update(sessions)
		.set({
			accessExpiresAt: sql`now() - interval '1 second'`,
			...(refresh ? { refreshExpiresAt: sql`now() - interval '1 second'` } : {})
		})
		.where(eq(sessions.deviceId, (await deviceIdentity(db)).id));
}

const sent = () => server.db.$count(applications);

describe('sync under the person’s session', { timeout: 30_000 }, () => {
	it('shows the access token on every push and pull', async () => {
		const w = world();
		const session = await w.signIn(nextIin());
		await queueApplications(db, 2);
		const before = await sent();
		expect(await (await w.engine()).sync()).toBe(true);
		expect(await sent()).toBe(before + 2);
		const sync = w.calls.filter((c) => /\/api\/sync\/(push|pull)$/.test(c.path));
		expect(sync.map((c) => c.path)).toEqual(['/api/sync/push', '/api/sync/pull']);
		expect(sync.every((c) => c.authorization === `Bearer ${session.accessToken}`)).toBe(true);
	});

	it('refreshes an expired token silently and sends once', async () => {
		const w = world();
		const session = await w.signIn(nextIin());
		await queueApplications(db, 2);
		await expire(session.accessToken);
		const before = await sent();
		w.calls.length = 0;

		expect(await (await w.engine()).sync()).toBe(true);
		expect(await sent()).toBe(before + 2);
		expect(w.calls.map((c) => c.refused).filter(Boolean)).toEqual(['session_expired']);
		expect(w.calls.filter((c) => c.path.endsWith('/session/refresh'))).toHaveLength(1);
		const renewed = (await readSession(db))!;
		expect(renewed.accessToken).not.toBe(session.accessToken);
		expect(w.calls.at(-1)!.authorization).toBe(`Bearer ${renewed.accessToken}`);
	});

	it('refreshes once for every caller that saw the token expire', async () => {
		const w = world();
		const session = await w.signIn(nextIin());
		await expire(session.accessToken);
		const device = await deviceIdentity(db);
		const tokens = [1, 2, 3].map(() => sessionTokens(db, device, w.options));
		const renewed = await Promise.all(tokens.map((t) => t.renew(session.accessToken)));
		expect(new Set(renewed).size).toBe(1);
		expect(w.calls.filter((c) => c.path.endsWith('/session/refresh'))).toHaveLength(1);
	});

	it('waits for a sign-in when the refresh expired too, then sends once', async () => {
		const w = world();
		const iin = nextIin();
		const session = await w.signIn(iin);
		await queueApplications(db, 2);
		await expire(session.accessToken, true);
		const before = await sent();
		const retries: number[] = [];
		const engine = await w.engine((delay) => retries.push(delay));

		expect(await engine.sync()).toBe(false);
		expect(await getMeta(db, 'sync')).toMatchObject({
			lastError: { kind: 'signed_out', detail: 'session_expired' }
		});
		// Nothing is retried on a timer, nothing is lost, and no token is kept.
		expect(retries).toEqual([]);
		expect((await getMeta(db, 'sync'))?.nextAttemptAt).toBeUndefined();
		expect(await db.outbox.count()).toBe(2);
		expect((await db.outbox.toArray()).every((entry) => !entry.rejection)).toBe(true);
		expect(await readSession(db)).toBeUndefined();
		expect(await sent()).toBe(before);

		await w.signIn(iin);
		expect(await engine.sync()).toBe(true);
		expect(await db.outbox.count()).toBe(0);
		expect(await sent()).toBe(before + 2);
	});

	it('waits for a sign-in when the server asks for a session and none is kept', async () => {
		const w = world();
		await queueApplications(db, 1);
		const retries: number[] = [];
		const engine = await w.engine((delay) => retries.push(delay));

		expect(await engine.sync()).toBe(false);
		expect(await getMeta(db, 'sync')).toMatchObject({
			lastError: { kind: 'signed_out', detail: 'session_invalid' }
		});
		expect(retries).toEqual([]);
		expect(await db.outbox.count()).toBe(1);

		await w.signIn(nextIin());
		expect(await engine.sync()).toBe(true);
		expect(await db.outbox.count()).toBe(0);
	});

	it('sends at once after a sign-in made while a pass was being refused', async () => {
		// The first push is answered only once the person has signed in and asked for a sync.
		let signedIn!: () => void;
		const asked = new Promise<void>((resolve) => (signedIn = resolve));
		let pushes = 0;
		const w = world(async (path) => {
			if (path === '/api/sync/push' && pushes++ === 0) await asked;
		});
		await queueApplications(db, 1);
		const before = await sent();
		const engine = await w.engine();
		const refused = engine.sync();
		await w.signIn(nextIin());
		const after = engine.sync();
		signedIn();

		expect(await refused).toBe(true);
		expect(await after).toBe(true);
		expect(await db.outbox.count()).toBe(0);
		expect(await sent()).toBe(before + 1);
	});

	it('removes everything of the person from a revoked device', async () => {
		const w = world();
		const session = await w.signIn(nextIin());
		await queueApplications(db, 1);
		await server.db
			.update(sessions)
			.set({ revokedAt: sql`now()`, endedBy: 'revoked' })
			.where(eq(sessions.deviceId, (await deviceIdentity(db)).id));

		// The pass stops on the deleted database: nothing of it may be written back.
		await expect((await w.engine()).sync()).rejects.toThrow();
		expect(w.calls.at(-1)).toMatchObject({
			authorization: `Bearer ${session.accessToken}`,
			refused: 'device_revoked'
		});
		expect(await Dexie.exists(db.name)).toBe(false);
	});
});
