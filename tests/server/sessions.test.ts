/**
 * Sessions as settings, refreshes that survive a lost answer, and a sign-out that leaves
 * nothing of the person on the device (issue 21): the server half of "sessions that
 * expire offline lose nothing" and "sign out".
 */
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { sessionLifetimesFromEnv } from '../../sync-server/accounts/sessions';
import { devices, sessions } from '../../sync-server/db/schema';
import { inboxAccounts } from '../support/inbox-accounts';
import { backends } from './backends';
import {
	anonymousDevice,
	pull,
	pullAll,
	push,
	submit,
	testApp,
	useSuite,
	validIin,
	type App,
	type Device,
	signedCall,
	signInCitizen
} from './helpers';

describe('session lifetimes from the environment', () => {
	it('take seconds, and refuse nonsense at start', () => {
		expect(sessionLifetimesFromEnv({})).toEqual({
			accessMs: 15 * 60_000,
			refreshMs: 30 * 24 * 60 * 60_000
		});
		expect(
			sessionLifetimesFromEnv({ SESSION_ACCESS_SECONDS: '20', SESSION_REFRESH_SECONDS: '120' })
		).toEqual({ accessMs: 20_000, refreshMs: 120_000 });
		expect(() => sessionLifetimesFromEnv({ SESSION_ACCESS_SECONDS: '15m' })).toThrow(
			/SESSION_ACCESS_SECONDS/
		);
		expect(() => sessionLifetimesFromEnv({ SESSION_REFRESH_SECONDS: '1' })).toThrow(
			/SESSION_REFRESH_SECONDS/
		);
	});
});

describe.each(backends)('sessions on $name', (backend) => {
	const suite = useSuite(backend);
	const inbox = inboxAccounts();
	let phones = 0;
	const app = () =>
		testApp(suite.db, {
			accounts: inbox.accounts,
			lifetimes: { accessMs: 20_000, refreshMs: 120_000 }
		});

	const signIn = (server: App, device: Device, iin: string) =>
		signInCitizen(server, device, inbox, iin, `+7704000${String(phones++).padStart(4, '0')}`);

	it('gives tokens the lifetimes the server is set to', async () => {
		const server = app();
		const session = await signIn(server, await anonymousDevice(server), validIin(700));
		const left = (at: string) => Date.parse(at) - Date.now();
		expect(left(session.accessExpiresAt)).toBeGreaterThan(10_000);
		expect(left(session.accessExpiresAt)).toBeLessThanOrEqual(21_000);
		expect(left(session.refreshExpiresAt)).toBeLessThanOrEqual(121_000);
	});

	it('refreshes again with a token whose answer was lost, within the grace only', async () => {
		const server = app();
		const device = await anonymousDevice(server);
		const session = await signIn(server, device, validIin(701));
		const refresh = (token: string) =>
			signedCall(server, device, '/api/accounts/session/refresh', { refreshToken: token });

		const lost = await refresh(session.refreshToken);
		expect(lost.status).toBe(200);
		// The answer never arrived: the device sends what it has again, and is not signed out.
		const again = await refresh(session.refreshToken);
		expect(again.status, again.text).toBe(200);
		expect(again.json.refreshToken).not.toBe(lost.json.refreshToken);
		// The pair of the lost answer is gone; the newest works.
		expect((await refresh(lost.json.refreshToken)).status).toBe(401);
		const me = await signedCall(
			server,
			device,
			'/api/accounts/me',
			undefined,
			again.json.accessToken
		);
		expect(me.status).toBe(200);

		// Past the grace, a used token is only a used token.
		await suite.db
			.update(sessions)
			.set({ refreshedAt: sql`now() - interval '3 minutes'` })
			.where(eq(sessions.deviceId, device.id));
		const late = await refresh(session.refreshToken);
		expect(late.status).toBe(401);
		expect(late.json.error.code).toBe('session_invalid');
		// Another device cannot use the grace either.
		const other = await anonymousDevice(server);
		const stolen = await signedCall(server, other, '/api/accounts/session/refresh', {
			refreshToken: again.json.refreshToken
		});
		expect(stolen.status).toBe(401);
	});

	it('signs out: the sessions end and the device sees nothing of the person', async () => {
		const server = app();
		const phone = await anonymousDevice(server);
		const second = await anonymousDevice(server);
		const iin = validIin(702);
		const session = await signIn(server, phone, iin);
		const secondSession = await signIn(server, second, iin);
		const phoneSyncing = { ...phone, accessToken: session.accessToken };
		const pushed = await push(server, phoneSyncing, { mutations: [submit({ seq: 1 })] });
		expect(pushed.status).toBe(200);
		expect((await pullAll(server, suite.db, phoneSyncing)).changes).toHaveLength(1);

		const out = await signedCall(
			server,
			phone,
			'/api/accounts/session/sign-out',
			{},
			session.accessToken
		);
		expect(out.status, out.text).toBe(200);
		const me = await signedCall(server, phone, '/api/accounts/me', undefined, session.accessToken);
		expect(me.json.error.code).toBe('session_invalid');
		expect((await pull(server, phoneSyncing)).json.error.code).toBe('session_invalid');
		const refreshed = await signedCall(server, phone, '/api/accounts/session/refresh', {
			refreshToken: session.refreshToken
		});
		expect(refreshed.status).toBe(401);
		// The next person on this phone sees nothing; the person's other device still does.
		const next = await signIn(server, phone, validIin(712));
		const nextSyncing = { ...phone, accessToken: next.accessToken };
		expect((await pullAll(server, suite.db, nextSyncing)).changes).toHaveLength(0);
		const secondSyncing = { ...second, accessToken: secondSession.accessToken };
		expect((await pullAll(server, suite.db, secondSyncing)).changes).toHaveLength(1);
		const owners = await suite.db
			.select({ id: devices.id, ownerId: devices.ownerId })
			.from(devices)
			.where(sql`${devices.id} in (${phone.id}, ${second.id})`);
		expect(new Set(owners.map((o) => o.ownerId)).size).toBe(2);
	});

	it('a revoked device is told so by its own code, on sync calls and refresh alike', async () => {
		const server = app();
		const phone = await anonymousDevice(server);
		const lost = await anonymousDevice(server);
		const iin = validIin(703);
		const session = await signIn(server, phone, iin);
		const stolen = await signIn(server, lost, iin);
		const sync = (token: string) => signedCall(server, lost, '/api/sync/pull', undefined, token);
		expect((await sync(stolen.accessToken)).status).toBe(200);

		const revoked = await signedCall(
			server,
			phone,
			`/api/accounts/devices/${lost.id}/revoke`,
			{},
			session.accessToken
		);
		expect(revoked.status, revoked.text).toBe(200);
		for (const res of [
			await sync(stolen.accessToken),
			await signedCall(server, lost, '/api/accounts/me', undefined, stolen.accessToken),
			await signedCall(
				server,
				lost,
				'/api/sync/push',
				{ mutations: [submit({ seq: 1 })] },
				stolen.accessToken
			),
			await signedCall(server, lost, '/api/accounts/session/refresh', {
				refreshToken: stolen.refreshToken
			})
		]) {
			expect(res.status, res.text).toBe(401);
			expect(res.json.error.code).toBe('device_revoked');
		}
		// Only to the device it was issued to: shown by another, it is no session at all.
		const shown = await signedCall(server, phone, '/api/sync/pull', undefined, stolen.accessToken);
		expect(shown.json.error.code).toBe('session_invalid');
	});
});
