import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appendAudit, AuditAction, verifyAudit } from '../../sync-server/accounts/audit';
import { can, type Actor, type PolicyRecord } from '../../sync-server/accounts/policy';
import { createStaff } from '../../sync-server/accounts/staff';
import { totpCode, totpStep } from '../../sync-server/accounts/totp';
import { auditLog, devices, sessions, setPasswordLinks } from '../../sync-server/db/schema';
import { backends } from './backends';
import { inboxAccounts } from '../support/inbox-accounts';
import {
	anonymousDevice,
	answer,
	invalidIin,
	signedRequest,
	useSuite,
	validIin,
	type App,
	type Device
} from './helpers';

const PHONE = '+7 701 234 56 78';

async function call(
	app: App,
	device: Device,
	method: 'GET' | 'POST',
	path: string,
	body?: unknown,
	token?: string
) {
	return answer(
		app.request(
			path,
			await signedRequest(device, method, path, body, {
				headers: (h) => (token ? { ...h, Authorization: `Bearer ${token}` } : h)
			})
		)
	);
}

describe.each(backends)('accounts on $name', (backend) => {
	const phone = inboxAccounts();
	const suite = useSuite(backend, { accounts: phone.accounts });

	let phones = 0;
	// A phone of its own per call: codes per phone are limited (SMS pumping).
	async function askCode(
		device: Device,
		iin = validIin(7),
		number = `+7701000${String(phones++).padStart(4, '0')}`
	) {
		const res = await call(suite.app, device, 'POST', '/api/accounts/citizen/code', {
			iin,
			phone: number
		});
		expect(res.status, res.text).toBe(200);
		return res.json.challengeId as string;
	}
	const confirm = (device: Device, challengeId: string, code: string) =>
		call(suite.app, device, 'POST', '/api/accounts/citizen/confirm', { challengeId, code });
	const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

	async function signIn(device: Device, iin = validIin(7)) {
		const id = await askCode(device, iin);
		const res = await confirm(device, id, phone.last());
		expect(res.status, res.text).toBe(200);
		return res.json;
	}

	it('signs a citizen in with a code; a second device sees the same owner', async () => {
		const first = await anonymousDevice(suite.app);
		const second = await anonymousDevice(suite.app);
		const iin = validIin(11);
		const s1 = await signIn(first, iin);
		expect(s1.account.role).toBe('citizen');
		expect(s1.accessToken).toMatch(/^da_/);
		const s2 = await signIn(second, iin);
		expect(s2.account.id).toBe(s1.account.id);
		const owners = await suite.db
			.select({ ownerId: devices.ownerId })
			.from(devices)
			.where(sql`${devices.id} in (${first.id}, ${second.id})`);
		expect(new Set(owners.map((o) => o.ownerId)).size).toBe(1);
		const me = await call(suite.app, second, 'GET', '/api/accounts/me', undefined, s2.accessToken);
		expect(me.status).toBe(200);
		expect(me.json.id).toBe(s1.account.id);
		const listed = await call(
			suite.app,
			first,
			'GET',
			'/api/accounts/devices',
			undefined,
			s1.accessToken
		);
		expect(listed.json.devices).toHaveLength(2);
	});

	it('limits codes sent to a phone: the eleventh in 15 minutes is 429 with Retry-After', async () => {
		for (let i = 0; i < 10; i++)
			await askCode(await anonymousDevice(suite.app), validIin(7), PHONE);
		const res = await call(
			suite.app,
			await anonymousDevice(suite.app),
			'POST',
			'/api/accounts/citizen/code',
			{
				iin: validIin(7),
				phone: PHONE
			}
		);
		expect(res.status).toBe(429);
		expect(res.json.error.code).toBe('too_many_attempts');
		// A short window: strangers keep a person from a code for minutes at most.
		expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
		expect(Number(res.headers.get('Retry-After'))).toBeLessThanOrEqual(15 * 60);
	});

	it('refuses a bad IIN with a field issue and sends nothing', async () => {
		const device = await anonymousDevice(suite.app);
		const before = phone.last();
		const res = await call(suite.app, device, 'POST', '/api/accounts/citizen/code', {
			iin: invalidIin(),
			phone: '+77019999999'
		});
		expect(res.status).toBe(400);
		expect(res.json.error.code).toBe('invalid_body');
		expect(res.json.error.issues.iin).toBe('invalid_iin');
		expect(phone.last()).toBe(before);
	});

	it('counts wrong codes, kills the code after five, and a used code does not replay', async () => {
		const device = await anonymousDevice(suite.app);
		const id = await askCode(device);
		const code = phone.last();
		for (let left = 4; left >= 0; left--) {
			const res = await confirm(device, id, wrong(code));
			expect(res.status).toBe(400);
			expect(res.json.error).toMatchObject({
				code: 'wrong_code',
				issues: { triesLeft: String(left) }
			});
		}
		const locked = await confirm(device, id, code);
		expect(locked.json.error.code).toBe('code_expired');

		const id2 = await askCode(device);
		const code2 = phone.last();
		expect((await confirm(device, id2, code2)).status).toBe(200);
		const replay = await confirm(device, id2, code2);
		expect(replay.json.error.code).toBe('code_expired');
	});

	it('binds a session to its device: another device, a malformed or huge token get 401', async () => {
		const mine = await anonymousDevice(suite.app);
		const thief = await anonymousDevice(suite.app);
		const session = await signIn(mine);
		const before = await suite.db.$count(auditLog);
		const stolen = await call(
			suite.app,
			thief,
			'GET',
			'/api/accounts/me',
			undefined,
			session.accessToken
		);
		expect(stolen.status).toBe(401);
		expect(stolen.json.error.code).toBe('session_invalid');
		const out = await call(
			suite.app,
			thief,
			'POST',
			'/api/accounts/session/sign-out',
			{},
			session.accessToken
		);
		expect(out.status).toBe(401);
		const refresh = await call(suite.app, thief, 'POST', '/api/accounts/session/refresh', {
			refreshToken: session.refreshToken
		});
		expect(refresh.json.error.code).toBe('session_invalid');
		expect(await suite.db.$count(auditLog)).toBe(before);
		for (const token of ['da_short', 'x'.repeat(5000), `${session.accessToken}x`]) {
			const res = await call(suite.app, mine, 'GET', '/api/accounts/me', undefined, token);
			expect(res.status).toBe(401);
			expect(res.json.error.code).toBe('session_invalid');
		}
		// A NUL cannot even be put in a header (Fetch refuses it; Node's HTTP parser answers
		// 400 before any route): it is refused before this server could see it.
		await expect(
			call(suite.app, mine, 'GET', '/api/accounts/me', undefined, `${session.accessToken}\u0000`)
		).rejects.toThrow(TypeError);
	});

	it('answers session_expired, refreshes (rotating), and signs out', async () => {
		const device = await anonymousDevice(suite.app);
		const session = await signIn(device);
		await suite.db
			.update(sessions)
			.set({ accessExpiresAt: sql`now() - interval '1 second'` })
			.where(eq(sessions.accountId, session.account.id));
		const expired = await call(
			suite.app,
			device,
			'GET',
			'/api/accounts/me',
			undefined,
			session.accessToken
		);
		expect(expired.status).toBe(401);
		expect(expired.json.error.code).toBe('session_expired');

		const refreshed = await call(suite.app, device, 'POST', '/api/accounts/session/refresh', {
			refreshToken: session.refreshToken
		});
		expect(refreshed.status, refreshed.text).toBe(200);
		// Rotated: the old access token is dead. (The old refresh token's short grace, for
		// an answer lost on 2G, is tested in sessions.test.ts.)
		const old = await call(
			suite.app,
			device,
			'GET',
			'/api/accounts/me',
			undefined,
			session.accessToken
		);
		expect(old.status).toBe(401);
		const me = await call(
			suite.app,
			device,
			'GET',
			'/api/accounts/me',
			undefined,
			refreshed.json.accessToken
		);
		expect(me.status).toBe(200);

		const out = await call(
			suite.app,
			device,
			'POST',
			'/api/accounts/session/sign-out',
			{},
			refreshed.json.accessToken
		);
		expect(out.status).toBe(200);
		const after = await call(
			suite.app,
			device,
			'GET',
			'/api/accounts/me',
			undefined,
			refreshed.json.accessToken
		);
		expect(after.json.error.code).toBe('session_invalid');
	});

	describe('staff', () => {
		async function enrolled(role: 'reviewer' | 'administrator' = 'reviewer', region = 'almaty') {
			const device = await anonymousDevice(suite.app);
			const staff = await createStaff(suite.db, { role, region, name: 'Test Staff' });
			const enroll = await call(suite.app, device, 'POST', '/api/accounts/staff/enroll', {
				token: staff.token
			});
			expect(enroll.status, enroll.text).toBe(200);
			const secret: string = enroll.json.totpSecret;
			const set = await call(suite.app, device, 'POST', '/api/accounts/staff/set-password', {
				token: staff.token,
				password: 'correct horse battery staple',
				totp: totpCode(secret, totpStep(Date.now()))
			});
			expect(set.status, set.text).toBe(200);
			return { device, staff, secret };
		}
		const signInStaff = (device: Device, login: string, password: string, totp: string) =>
			call(suite.app, device, 'POST', '/api/accounts/staff/sign-in', { login, password, totp });

		it('signs in with password and TOTP; the link works once', async () => {
			const { device, staff, secret } = await enrolled();
			const reused = await call(suite.app, device, 'POST', '/api/accounts/staff/enroll', {
				token: staff.token
			});
			expect(reused.json.error.code).toBe('invalid_set_password_link');
			// The enrolment code's step is spent: the next step's code signs in.
			const res = await signInStaff(
				device,
				staff.login,
				'correct horse battery staple',
				totpCode(secret, totpStep(Date.now()) + 1)
			);
			expect(res.status, res.text).toBe(200);
			expect(res.json.account).toMatchObject({ role: 'reviewer', region: 'almaty' });
		});

		it('refuses an expired set-password link', async () => {
			const device = await anonymousDevice(suite.app);
			const staff = await createStaff(suite.db, {
				role: 'officer',
				region: 'astana',
				name: 'Late'
			});
			await suite.db
				.update(setPasswordLinks)
				.set({ expiresAt: sql`now() - interval '1 second'` })
				.where(eq(setPasswordLinks.accountId, staff.accountId));
			const res = await call(suite.app, device, 'POST', '/api/accounts/staff/enroll', {
				token: staff.token
			});
			expect(res.json.error.code).toBe('invalid_set_password_link');
		});

		it('lets a reviewer decide only in their region', async () => {
			const { device, staff, secret } = await enrolled('reviewer', 'karaganda');
			const res = await signInStaff(
				device,
				staff.login,
				'correct horse battery staple',
				totpCode(secret, totpStep(Date.now()) + 1)
			);
			const token = res.json.accessToken;
			const { newDevice, push, submit } = await import('./helpers');
			const citizen = await newDevice(suite.app);
			const pushed = await push(suite.app, citizen, { mutations: [submit()] });
			const id = pushed.json.results[0].application.id;
			const path = `/api/office/applications/${id}/decision`;
			const refused = await call(
				suite.app,
				device,
				'POST',
				path,
				{ status: 'in_review', baseVersion: 1 },
				token
			);
			expect(refused.status).toBe(404);
			const { applications } = await import('../../sync-server/db/schema');
			await suite.db
				.update(applications)
				.set({ region: 'karaganda' })
				.where(eq(applications.id, id));
			const decided = await call(
				suite.app,
				device,
				'POST',
				path,
				{ status: 'in_review', baseVersion: 1 },
				token
			);
			expect(decided.status, decided.text).toBe(200);
		});
	});

	describe('audit log', () => {
		it('chains every row, refuses UPDATE and DELETE, and detects a changed row', async () => {
			const db = await backend.open();
			try {
				for (let i = 0; i < 3; i++) {
					await db.db.transaction((tx) =>
						appendAudit(tx, { action: AuditAction.codeSent, subject: `s${i}` })
					);
				}
				expect(await verifyAudit(db.db)).toEqual({ ok: true, rows: 3 });
				await expect(db.db.update(auditLog).set({ subject: 'x' })).rejects.toThrow();
				await expect(db.db.delete(auditLog)).rejects.toThrow();
				await db.db.execute(sql`alter table audit_log disable trigger audit_log_no_change`);
				await db.db.update(auditLog).set({ subject: 'forged' }).where(eq(auditLog.seq, 2));
				expect(await verifyAudit(db.db)).toMatchObject({ ok: false, seq: 2, problem: 'hash' });
			} finally {
				await db.close();
			}
		});
	});
});

describe('policy', () => {
	const base = { deviceId: 'd', iin: null, region: null };
	const citizen: Actor = {
		...base,
		accountId: 'c',
		role: 'citizen',
		ownerId: 'o1',
		iin: '900101300001'
	};
	const officer: Actor = {
		...base,
		accountId: 'off',
		role: 'officer',
		ownerId: 's1',
		region: 'almaty'
	};
	const reviewer: Actor = {
		...base,
		accountId: 'r',
		role: 'reviewer',
		ownerId: 's2',
		region: 'almaty'
	};
	const admin: Actor = {
		...base,
		accountId: 'a',
		role: 'administrator',
		ownerId: 's3',
		region: 'almaty'
	};
	const app = (
		over: Partial<Extract<PolicyRecord, { kind: 'application' }>> = {}
	): PolicyRecord => ({
		kind: 'application',
		ownerId: 'o2',
		subjectIin: null,
		filedBy: null,
		region: 'almaty',
		...over
	});
	it.each([
		[citizen, 'application.read', app({ ownerId: 'o1' }), true],
		[citizen, 'application.read', app({ subjectIin: '900101300001' }), true],
		[citizen, 'application.read', app(), false],
		[citizen, 'application.decide', app({ ownerId: 'o1' }), false],
		[officer, 'application.read', app({ filedBy: 'off' }), true],
		[officer, 'application.read', app(), false],
		[officer, 'region.summary', { kind: 'region', region: 'almaty' }, true],
		[officer, 'region.summary', { kind: 'region', region: 'astana' }, false],
		[reviewer, 'application.decide', app(), true],
		[reviewer, 'application.decide', app({ region: 'astana' }), false],
		[reviewer, 'application.decide', app({ region: null }), false],
		[admin, 'application.read', app(), false],
		[admin, 'account.manage', { kind: 'account', id: 'c' }, true],
		[admin, 'device.revoke', { kind: 'device', ownerId: 'o1' }, true],
		[citizen, 'device.revoke', { kind: 'device', ownerId: 'o1' }, true],
		[citizen, 'device.revoke', { kind: 'device', ownerId: 'o2' }, false],
		[reviewer, 'account.manage', { kind: 'account', id: 'c' }, false]
	] as const)('%o %s %o → %s', (actor, action, record, expected) => {
		expect(can(actor, action, record)).toBe(expected);
	});
});
