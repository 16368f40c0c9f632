/**
 * The sync engine and its HTTP transport against protocol 2's freshness rules: a device
 * whose clock is far off is refused `stale_request`, learns the server's time from the
 * refusal and recovers at once, never losing a queued item; and a pull carrying a status
 * or a field this build does not know still goes through. The server is the real one, on
 * PGlite in memory, reached through `app.request` in place of the network.
 */
import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listApplications } from '../../app/lib/applications';
import { getMeta, openDatabase, type DalaDatabase } from '../../app/lib/db/database';
import { ServerClock } from '../../app/lib/server-clock';
import { deviceIdentity } from '../../app/lib/sync/device';
import { SyncEngine } from '../../app/lib/sync/engine';
import { httpTransport } from '../../app/lib/sync/transport';
import { sessionTokens } from '../../app/lib/sync/session-tokens';
import { confirmSignInCode, requestSignInCode } from '../../app/lib/accounts/citizen-sign-in';
import { Header } from '../../shared/protocol';
import { mayAmend } from '../../shared/status';
import { createApp } from '../../sync-server/app';
import { openDatabase as openServerDatabase, type OpenDatabase } from '../../sync-server/db/open';
import { applications } from '../../sync-server/db/schema';
import { createLogger } from '../../sync-server/http/log';
import { inboxAccounts } from '../support/inbox-accounts';
import { queueApplications } from '../support/queue-applications';
import { withCheckDigit } from '../support/service-answers';

const HOUR = 3_600_000;

let server: OpenDatabase;
// PGlite takes seconds to start and migrate, more on a busy machine.
beforeAll(async () => {
	server = await openServerDatabase({ dataDir: 'memory://' });
}, 60_000);
afterAll(() => server?.close());

let db: DalaDatabase;
let n = 0;
beforeEach(async () => {
	db = openDatabase(`freshness-test-${n++}`);
	await db.open();
});
afterEach(() => db.delete());

/** The server's app, and a fetch into it that counts each refusal by its code. */
function serverFetch(now: () => number = Date.now) {
	const inbox = inboxAccounts();
	const app = createApp({
		db: server.db,
		log: createLogger({ level: 'silent' }),
		now,
		accounts: inbox.accounts
	});
	const refusals: string[] = [];
	const fetch = async (url: string, init: RequestInit) => {
		const response = await app.request(url, init);
		if (!response.ok) {
			const body = (await response.clone().json()) as { error: { code: string } };
			refusals.push(body.error.code);
		}
		return response;
	};
	const options = { baseUrl: 'http://dala.test', fetch };
	/** Signs a person in on the device (sync needs a session); the session's tokens. */
	const signIn = async () => {
		const iin = withCheckDigit(`77${String(people++).padStart(5, '0')}`);
		const asked = await requestSignInCode(db, { iin, phone: '+77011112244' }, options);
		await confirmSignInCode(db, { challengeId: asked.challengeId, code: inbox.last() }, options);
		// Refusals are counted from here: the first call met an unregistered device.
		refusals.length = 0;
		return sessionTokens(db, await deviceIdentity(db), options);
	};
	return { fetch, refusals, signIn };
}

let people = 0;

describe('a device whose clock is off', { timeout: 30_000 }, () => {
	it('is refused stale once, takes the server time from the refusal and sends everything', async () => {
		const { fetch, refusals, signIn } = serverFetch();
		const identity = await deviceIdentity(db);
		// Registered and signed in earlier (by another page, whose clock learned the offset).
		const session = await signIn();
		// The phone is set an hour and a half slow, far outside the server's window.
		const clock = new ServerClock(() => Date.now() - 1.5 * HOUR);
		const engine = new SyncEngine({
			db,
			transport: httpTransport(identity, { baseUrl: 'http://dala.test', fetch, clock, session })
		});
		await queueApplications(db, 3);
		const before = await server.db.$count(applications);

		expect(await engine.sync()).toBe(true);

		expect(refusals).toEqual(['stale_request']);
		expect(await db.outbox.count()).toBe(0);
		expect(await server.db.$count(applications)).toBe(before + 3);
		expect(Math.abs(clock.now() - Date.now())).toBeLessThan(5000);

		// The offset is kept: the next pass is not refused at all.
		await queueApplications(db, 1);
		expect(await engine.sync()).toBe(true);
		expect(refusals).toHaveLength(1);
		expect(await db.outbox.count()).toBe(0);
	});

	it('keeps the queue whole when the time is refused again, and sends it later', async () => {
		// A server whose clock jumps an hour with every request: the offset learned from
		// one answer is stale by the next, so the one repeat is refused too.
		let serverNow = Date.now();
		let jumping = false;
		const { fetch, refusals, signIn } = serverFetch(() =>
			jumping ? (serverNow += HOUR) : serverNow
		);
		const identity = await deviceIdentity(db);
		const session = await signIn();
		jumping = true;
		const clock = new ServerClock();
		const delays: number[] = [];
		const engine = new SyncEngine({
			db,
			transport: httpTransport(identity, { baseUrl: 'http://dala.test', fetch, clock, session }),
			scheduleRetry: (delay) => delays.push(delay)
		});
		await queueApplications(db, 2);
		const before = await server.db.$count(applications);

		expect(await engine.sync()).toBe(false);
		expect(refusals.filter((code) => code === 'stale_request')).toHaveLength(2);
		expect(await db.outbox.count()).toBe(2);
		expect((await db.outbox.toArray()).every((entry) => !entry.rejection)).toBe(true);
		expect(delays).toHaveLength(1);
		expect(await getMeta(db, 'sync')).toMatchObject({ lastError: { detail: 'stale_request' } });
		expect(await server.db.$count(applications)).toBe(before);

		jumping = false;
		expect(await engine.sync()).toBe(true);
		expect(await db.outbox.count()).toBe(0);
		expect(await server.db.$count(applications)).toBe(before + 2);
	});
});

describe('a pull from a newer server', () => {
	it('goes through with a status and fields this build does not know', async () => {
		const id = '01900000-0000-7000-8000-000000000001';
		const change = {
			id,
			serviceId: 'individual-entrepreneur',
			serviceVersion: 1,
			status: 'archived',
			reference: 'DL-2026-000001',
			version: 3,
			answers: { fullName: 'Aigerim Seitkali' },
			updatedAt: new Date(0).toISOString(),
			archivedBy: 'records office'
		};
		const fetch = async (url: string) => {
			expect(url).toContain('/api/sync/pull');
			return Response.json(
				{ changes: [change], cursor: 'c1', hasMore: false, serverRegion: 'almaty' },
				{ headers: { [Header.serverTime]: String(Date.now()) } }
			);
		};
		const identity = await deviceIdentity(db);
		const engine = new SyncEngine({
			db,
			transport: httpTransport(identity, { baseUrl: 'http://dala.test', fetch })
		});

		expect(await engine.sync()).toBe(true);

		const stored = await db.mirror.get(id);
		expect(stored).toMatchObject({ status: 'archived', version: 3 });
		expect(await getMeta(db, 'cursor')).toBe('c1');
		const [shown] = await listApplications(db);
		expect(shown?.state.kind).toBe('unknown');
		// Nothing is offered on a status the app cannot judge; the server would decide anyway.
		expect(mayAmend('archived')).toBe(false);
	});
});

describe('the server clock', () => {
	it('learns the offset from Dala-Server-Time and ignores answers without one', () => {
		let local = 1_000_000;
		const clock = new ServerClock(() => local);
		expect(clock.now()).toBe(1_000_000);
		clock.observe(new Headers({ [Header.serverTime]: '1005000' }));
		expect(clock.now()).toBe(1_005_000);
		local += 10;
		expect(clock.now()).toBe(1_005_010);
		clock.observe(new Headers());
		clock.observe(new Headers({ [Header.serverTime]: 'soon' }));
		expect(clock.now()).toBe(1_005_010);
	});
});
