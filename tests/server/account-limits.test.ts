/**
 * The accounts' limits stop attackers, not owners (issue 19): one limiter for everything
 * (http/rate-limit.ts), the client address taken the one way TRUST_PROXY says, codes per
 * phone counted only once sent, staff slowed per login and address rather than locked for
 * everyone, set-password links checked before any hashing, made-up challenges refused
 * without an audit row each.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { passwordPool, type Passwords } from '../../sync-server/accounts/passwords';
import { createStaff } from '../../sync-server/accounts/staff';
import { totpCode, totpStep } from '../../sync-server/accounts/totp';
import type { Database } from '../../sync-server/db/open';
import { auditLog, rateLimits } from '../../sync-server/db/schema';
import { DEFAULT_LIMITS, DEFAULT_RATE_RULES, type Limits } from '../../sync-server/http/limits';
import { sweepRateLimits } from '../../sync-server/http/rate-limit';
import { backends } from './backends';
import { inboxAccounts } from '../support/inbox-accounts';
import {
	answer,
	anonymousDevice,
	signedRequest,
	testApp,
	useSuite,
	validIin,
	type App,
	type Device
} from './helpers';

interface From {
	/** The socket's peer, as Node's server hands it to Hono. */
	address: string;
	forwardedFor?: string;
	token?: string;
}

/** A signed POST as it arrives from `from.address` (through a proxy when forwardedFor is set). */
async function post(app: App, device: Device, path: string, body: unknown, from: From) {
	const init = await signedRequest(device, 'POST', path, body, {
		headers: (h) => ({
			...h,
			...(from.forwardedFor ? { 'X-Forwarded-For': from.forwardedFor } : {}),
			...(from.token ? { Authorization: `Bearer ${from.token}` } : {})
		})
	});
	return answer(app.request(path, init, { incoming: { socket: { remoteAddress: from.address } } }));
}

/** Passwords that count how often Argon2 ran. */
function countedPasswords(): Passwords & { hashes: () => number } {
	const pool = passwordPool();
	let hashes = 0;
	return {
		hash: (password) => (hashes++, pool.hash(password)),
		verify: (password, hash) => (hashes++, pool.verify(password, hash)),
		decoy: () => pool.decoy(),
		hashes: () => hashes
	};
}

const withRules = (rules: Partial<Limits['rates']>, trustedProxies = 0): Limits => ({
	...DEFAULT_LIMITS,
	rates: { ...DEFAULT_RATE_RULES, ...rules },
	trustedProxies
});

let numbers = 0;
const newPhone = () => `+7703000${String(numbers++).padStart(4, '0')}`;

describe.each(backends)('account limits on $name', (backend) => {
	const suite = useSuite(backend);
	const auditRows = (db: Database) => db.$count(auditLog);

	it('counts codes per client behind TRUST_PROXY, not per proxy', async () => {
		const rule = { name: 'code_address', limit: 2, windowSeconds: 3600 };
		const app = testApp(suite.db, { limits: withRules({ codeAddress: rule }, 1) });
		const ask = async (client: string) =>
			post(
				app,
				await anonymousDevice(app),
				'/api/accounts/citizen/code',
				{ iin: validIin(1), phone: newPhone() },
				{ address: '10.0.0.1', forwardedFor: `203.0.113.250, ${client}` }
			);
		expect((await ask('198.51.100.1')).status).toBe(200);
		expect((await ask('198.51.100.1')).status).toBe(200);
		const third = await ask('198.51.100.1');
		expect(third.status).toBe(429);
		expect(third.json.error.code).toBe('too_many_attempts');
		// Another client behind the same proxy has its own allowance; the address the
		// client wrote first in X-Forwarded-For is not believed.
		expect((await ask('198.51.100.2')).status).toBe(200);
	});

	it('counts codes per phone only once sent: a refused phone uses up nothing', async () => {
		let registered = false;
		const { sender, count } = inboxAccounts();
		const app = testApp(suite.db, {
			accounts: { sender, register: { description: 't', isRegistered: async () => registered } }
		});
		const phone = newPhone();
		for (let i = 0; i < 12; i++) {
			const res = await post(
				app,
				await anonymousDevice(app),
				'/api/accounts/citizen/code',
				{ iin: validIin(2), phone },
				{ address: '198.51.100.10' }
			);
			expect(res.json.error.code).toBe('phone_not_registered');
		}
		registered = true;
		const res = await post(
			app,
			await anonymousDevice(app),
			'/api/accounts/citizen/code',
			{ iin: validIin(2), phone },
			{ address: '198.51.100.10' }
		);
		expect(res.status, res.text).toBe(200);
		expect(count()).toBe(1);
	});

	it("a stranger asking for a person's phone spends their own allowance, and briefly", async () => {
		const app = testApp(suite.db);
		const phone = newPhone();
		const body = { iin: validIin(3), phone };
		const from = { address: '198.51.100.20' };
		const stranger = await anonymousDevice(app);
		for (let i = 0; i < 5; i++) {
			expect((await post(app, stranger, '/api/accounts/citizen/code', body, from)).status).toBe(
				200
			);
		}
		const sixth = await post(app, stranger, '/api/accounts/citizen/code', body, from);
		expect(sixth.status).toBe(429);
		// The person's own phone still gets a code.
		const person = await anonymousDevice(app);
		const own = await post(app, person, '/api/accounts/citizen/code', body, {
			address: '198.51.100.21'
		});
		expect(own.status, own.text).toBe(200);
		// Strangers with many devices reach the phone's bound; it lasts minutes, not hours.
		for (let i = 0; i < 4; i++) {
			await post(app, await anonymousDevice(app), '/api/accounts/citizen/code', body, from);
		}
		const kept = await post(app, person, '/api/accounts/citizen/code', body, {
			address: '198.51.100.21'
		});
		expect(kept.status).toBe(429);
		expect(Number(kept.headers.get('Retry-After'))).toBeLessThanOrEqual(15 * 60);
	});

	it('made-up challenges are limited per device and write no audit row', async () => {
		const device = await anonymousDevice(suite.app);
		const before = await auditRows(suite.db);
		const statuses: number[] = [];
		for (let i = 0; i < 31; i++) {
			const res = await post(
				suite.app,
				device,
				'/api/accounts/citizen/confirm',
				{ challengeId: crypto.randomUUID(), code: '123456' },
				{ address: '198.51.100.30' }
			);
			statuses.push(res.status);
		}
		expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
		expect(statuses[30]).toBe(429);
		expect(await auditRows(suite.db)).toBe(before);
	});

	describe('staff', () => {
		const passwords = countedPasswords();
		const staffApp = () => testApp(suite.db, { passwords });

		async function enrolled(app: App, from: From) {
			const device = await anonymousDevice(app);
			const staff = await createStaff(suite.db, { role: 'reviewer', region: 'almaty', name: 'R' });
			const enroll = await post(
				app,
				device,
				'/api/accounts/staff/enroll',
				{ token: staff.token },
				from
			);
			const secret: string = enroll.json.totpSecret;
			const set = await post(
				app,
				device,
				'/api/accounts/staff/set-password',
				{
					token: staff.token,
					password: 'correct horse battery staple',
					totp: totpCode(secret, totpStep(Date.now()))
				},
				from
			);
			expect(set.status, set.text).toBe(200);
			return { device, login: staff.login, secret };
		}

		it('slows a guesser where they are; the reviewer elsewhere signs in', async () => {
			const app = staffApp();
			const home = { address: '198.51.100.40' };
			const reviewer = await enrolled(app, home);
			const attacker = await anonymousDevice(app);
			const guess = (login: string) =>
				post(
					app,
					attacker,
					'/api/accounts/staff/sign-in',
					{ login, password: 'a guess of the password', totp: '000000' },
					{ address: '192.0.2.66' }
				);
			for (let i = 0; i < 5; i++) expect((await guess(reviewer.login)).status).toBe(401);
			for (let i = 0; i < 5; i++) expect((await guess('nobody-here')).status).toBe(401);
			const known = await guess(reviewer.login);
			const unknown = await guess('nobody-here');
			// The same answer for a real login and an unknown one: the limit shows nothing.
			expect(known.status).toBe(429);
			expect(unknown.status).toBe(429);
			expect(known.json.error.code).toBe('too_many_attempts');
			expect(unknown.json.error.code).toBe(known.json.error.code);
			expect(Object.keys(unknown.json.error)).toEqual(Object.keys(known.json.error));

			const res = await post(
				app,
				reviewer.device,
				'/api/accounts/staff/sign-in',
				{
					login: reviewer.login,
					password: 'correct horse battery staple',
					totp: totpCode(reviewer.secret, totpStep(Date.now()) + 1)
				},
				home
			);
			expect(res.status, res.text).toBe(200);
		});

		it('checks a set-password link before any hashing, and limits its use', async () => {
			const app = staffApp();
			const device = await anonymousDevice(app);
			const before = passwords.hashes();
			const statuses: number[] = [];
			for (let i = 0; i < 11; i++) {
				const res = await post(
					app,
					device,
					'/api/accounts/staff/set-password',
					{ token: `ds_${'x'.repeat(43)}`, password: 'a password long enough', totp: '123456' },
					{ address: '198.51.100.50' }
				);
				statuses.push(res.status);
			}
			expect(passwords.hashes()).toBe(before);
			expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
			expect(statuses[10]).toBe(429);
		});
	});

	it('sweeps counters whose window ended', async () => {
		await suite.db.insert(rateLimits).values([
			{ rule: 'push', keyHash: 'ended', hits: 3, resetsAt: sql`now() - interval '1 second'` },
			{ rule: 'push', keyHash: 'running', hits: 3, resetsAt: sql`now() + interval '1 hour'` }
		]);
		expect(await sweepRateLimits(suite.db)).toBeGreaterThanOrEqual(1);
		const left = await suite.db.select({ key: rateLimits.keyHash }).from(rateLimits);
		expect(left.map((r) => r.key)).toContain('running');
		expect(left.map((r) => r.key)).not.toContain('ended');
	});
});
