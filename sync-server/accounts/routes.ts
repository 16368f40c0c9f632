import type { Context } from 'hono';
import { Hono } from 'hono';
import * as v from 'valibot';
import {
	CitizenCodeRequest,
	CitizenConfirmRequest,
	NewStaffRequest,
	RefreshRequest,
	StaffEnrollRequest,
	StaffSetPasswordRequest,
	StaffSignInRequest,
	type AccountView,
	type CitizenCodeResponse,
	type DeviceList,
	type NewStaffResponse,
	type StaffList,
	type Session,
	type StaffEnrollResponse
} from '../../shared/accounts';
import { ErrorCode } from '../../shared/errors';
import { DeviceId } from '../../shared/protocol';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/open';
import { accounts as accountsTable } from '../db/schema';
import {
	authenticateDevice,
	protocolHeader,
	type DeviceAuth,
	type DeviceVariables
} from '../devices/device-auth';
import { httpError } from '../http/errors';
import { clientAddress, type RequestLimits } from '../http/rate-limit';
import { readJsonBody } from '../http/request-body';
import { accountOwner, listDevices, revokeDevice } from './account-devices';
import { confirmCode, sendCode } from './citizen';
import type { AccountsOptions } from './adapters';
import { maskPhone } from './sms-sender';
import type { Passwords } from './passwords';
import { can, type Actor } from './policy';
import { authenticateSession, refreshSession, signOut, type SessionLifetimes } from './sessions';
import { createStaff, enrollStaff, LoginTaken, setStaffPassword, signInStaff } from './staff';
import { disableStaff, listStaff } from './staff-admin';

// Every accounts request is a few short strings; nothing honest comes near this.
const BODY_BYTES = 4096;
// A register that did not answer is asked again by the person, not at once.
const REGISTER_RETRY_AFTER_S = 30;

/**
 * /api/accounts (docs/accounts.md): citizens sign in with a code to their phone, staff
 * with a password and TOTP; sessions are refreshed and ended; a person (or an
 * administrator) lists and revokes devices. Every call is signed by the device.
 */
export function accountRoutes(
	db: Database,
	auth: DeviceAuth,
	{
		accounts: { sender, register },
		guard: { limits, limiter },
		passwords,
		lifetimes
	}: {
		accounts: AccountsOptions;
		guard: RequestLimits;
		passwords: Passwords;
		lifetimes: SessionLifetimes;
	}
) {
	const address = (c: Context) => clientAddress(c, limits.trustedProxies);
	const attempts = ErrorCode.tooManyAttempts;
	const signed = authenticateDevice(auth, BODY_BYTES);
	const limitStaffLink = async (c: Context<{ Variables: DeviceVariables }>) => {
		await limiter.check('staffLinkDevice', c.var.deviceId, attempts);
		await limiter.check('staffLinkAddress', address(c), attempts);
	};
	const session = authenticateSession(db, auth, BODY_BYTES);
	const body = <S extends v.GenericSchema>(c: Context, schema: S, what: string, raw: Uint8Array) =>
		readJsonBody(c.req.raw, schema, what, { limit: BODY_BYTES, raw });

	return (
		new Hono()
			.use('*', protocolHeader)
			.post('/citizen/code', signed, async (c) => {
				const { iin, phone } = await body(c, CitizenCodeRequest, 'code request', c.var.rawBody);
				// SMS pumping: every request counts per device and per address; codes per phone
				// count only once sent, so neither a refused phone nor a stranger's device uses
				// up the person's own allowance (http/limits.ts).
				await limiter.check('codeDevice', c.var.deviceId, attempts);
				await limiter.check('codeAddress', address(c), attempts);
				const pair = `${phone}\n${c.var.deviceId}`;
				await limiter.refuseIfSpent('codePhoneDevice', pair, attempts);
				await limiter.refuseIfSpent('codePhone', phone, attempts);
				const outcome = await sendCode(db, { sender, register }, c.var.deviceId, iin, phone);
				if (outcome.status === 'sent') {
					await limiter.count('codePhoneDevice', pair);
					await limiter.count('codePhone', phone);
				}
				if (outcome.status === 'not_registered') {
					throw httpError(
						400,
						ErrorCode.phoneNotRegistered,
						'This phone number is not registered to this IIN.'
					);
				}
				if (outcome.status === 'register_unavailable') {
					const error = httpError(
						503,
						ErrorCode.registerUnavailable,
						'The phone register cannot be asked now: try again later.'
					);
					error.res?.headers.set('Retry-After', String(REGISTER_RETRY_AFTER_S));
					throw error;
				}
				if (outcome.status === 'not_sent') {
					throw httpError(
						503,
						ErrorCode.codeNotSent,
						'The code could not be sent: try again later.'
					);
				}
				return c.json({
					challengeId: outcome.challengeId,
					expiresAt: outcome.expiresAt.toISOString(),
					maskedPhone: maskPhone(phone)
				} satisfies CitizenCodeResponse);
			})
			.post('/citizen/confirm', signed, async (c) => {
				const { challengeId, code } = await body(c, CitizenConfirmRequest, 'code', c.var.rawBody);
				await limiter.check('confirmDevice', c.var.deviceId, attempts);
				await limiter.check('confirmAddress', address(c), attempts);
				const outcome = await confirmCode(db, c.var.deviceId, challengeId, code, lifetimes);
				if (outcome.status === 'wrong_code') {
					throw httpError(400, ErrorCode.wrongCode, 'This code is not the one sent.', {
						triesLeft: String(outcome.triesLeft)
					});
				}
				if (outcome.status === 'code_expired') {
					throw httpError(
						400,
						ErrorCode.codeExpired,
						'This code no longer works: ask for a new one.'
					);
				}
				return c.json(outcome.session satisfies Session);
			})
			.post('/staff/enroll', signed, async (c) => {
				const { token } = await body(c, StaffEnrollRequest, 'enrollment', c.var.rawBody);
				await limitStaffLink(c);
				const enrolled = await enrollStaff(db, token);
				if (!enrolled) throw invalidLink();
				return c.json(enrolled satisfies StaffEnrollResponse);
			})
			.post('/staff/set-password', signed, async (c) => {
				const request = await body(c, StaffSetPasswordRequest, 'password', c.var.rawBody);
				await limitStaffLink(c);
				const outcome = await setStaffPassword(db, passwords, c.var.deviceId, request);
				if (outcome === 'invalid_link') throw invalidLink();
				if (outcome === 'wrong_totp') {
					throw httpError(400, ErrorCode.invalidBody, 'The code is not the authenticator’s.', {
						totp: 'not the current code of the secret shown'
					});
				}
				return c.json({ set: true });
			})
			.post('/staff/sign-in', signed, async (c) => {
				const request = await body(c, StaffSignInRequest, 'sign-in', c.var.rawBody);
				// Counted before Argon2 runs and before the login is looked up: a limited unknown
				// login and a limited real one get the same answer.
				await limiter.check('signInPair', pairOf(request.login, address(c)), attempts);
				await limiter.check('signInAddress', address(c), attempts);
				const outcome = await signInStaff(db, passwords, c.var.deviceId, request, lifetimes);
				if (outcome.status === 'failed') {
					throw httpError(401, ErrorCode.signInFailed, 'The login, password or code is wrong.');
				}
				return c.json(outcome.session satisfies Session);
			})
			.get('/staff', session, async (c) => {
				manageStaff(c.var.actor);
				return c.json({ staff: await listStaff(db) } satisfies StaffList);
			})
			.post('/staff', session, async (c) => {
				manageStaff(c.var.actor);
				const request = await body(c, NewStaffRequest, 'staff', c.var.rawBody);
				try {
					const made = await createStaff(db, request, {
						actor: c.var.actor.accountId,
						device: c.var.deviceId
					});
					return c.json(
						{ ...made, expiresAt: made.expiresAt.toISOString() } satisfies NewStaffResponse,
						201
					);
				} catch (error) {
					if (!(error instanceof LoginTaken)) throw error;
					throw httpError(409, ErrorCode.loginTaken, 'This login is taken: choose another.', {
						login: 'taken'
					});
				}
			})
			.post('/staff/:id/disable', session, async (c) => {
				manageStaff(c.var.actor);
				await body(c, v.strictObject({}), 'disable', c.var.rawBody);
				const id = c.req.param('id');
				const outcome = v.is(v.pipe(v.string(), v.uuid()), id)
					? await disableStaff(db, c.var.actor, id)
					: 'not_found';
				if (outcome === 'self') {
					throw httpError(409, ErrorCode.cannotDisableSelf, 'Another administrator must do it.');
				}
				if (outcome === 'not_found')
					throw httpError(404, ErrorCode.notFound, 'No such staff account.');
				return c.json({ disabled: true });
			})
			.post('/session/refresh', signed, async (c) => {
				const { refreshToken } = await body(c, RefreshRequest, 'refresh', c.var.rawBody);
				return c.json(await refreshSession(db, c.var.deviceId, refreshToken, lifetimes));
			})
			.post('/session/sign-out', session, async (c) => {
				await body(c, v.strictObject({}), 'sign-out', c.var.rawBody);
				await signOut(db, c.var.actor, c.var.sessionId);
				return c.json({ signedOut: true });
			})
			.get('/me', session, async (c) => {
				const [view] = await db
					.select({
						id: accountsTable.id,
						role: accountsTable.role,
						name: accountsTable.name,
						region: accountsTable.region
					})
					.from(accountsTable)
					.where(eq(accountsTable.id, c.var.actor.accountId));
				if (!view) throw httpError(401, ErrorCode.sessionInvalid, 'Sign in again.');
				return c.json(view satisfies AccountView);
			})
			/** The caller's devices; an administrator may name another account (`?account=`). */
			.get('/devices', session, async (c) => {
				const account = await accountAsked(db, c.var.actor, c.req.query('account'));
				if (!can(c.var.actor, 'device.list', { kind: 'device', ownerId: account.ownerId })) {
					throw forbidden();
				}
				const rows = await listDevices(db, account);
				return c.json({
					devices: rows.map((d) => ({
						id: d.id,
						createdAt: d.createdAt.toISOString(),
						lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
						current: d.id === c.var.deviceId
					}))
				} satisfies DeviceList);
			})
			.post('/devices/:id/revoke', session, async (c) => {
				await body(c, v.strictObject({}), 'revoke', c.var.rawBody);
				const account = await accountAsked(db, c.var.actor, c.req.query('account'));
				if (!can(c.var.actor, 'device.revoke', { kind: 'device', ownerId: account.ownerId })) {
					throw forbidden();
				}
				const id = c.req.param('id');
				// Anything but a device id names no device, and must not reach SQL (a NUL does harm).
				if (!v.is(DeviceId, id) || !(await revokeDevice(db, c.var.actor, account, id))) {
					throw httpError(404, ErrorCode.notFound, 'No such device of this account.');
				}
				return c.json({ revoked: true });
			})
	);
}

/** A login and an address as one key; none without an address (an in-process caller). */
const pairOf = (login: string, address: string | undefined) =>
	address === undefined ? undefined : `${login}\n${address}`;

const forbidden = () => httpError(403, ErrorCode.forbidden, 'This account may not do that.');

/** Staff accounts are an administrator's to list, make and disable (policy.ts). */
function manageStaff(actor: Actor): void {
	if (!can(actor, 'account.manage', { kind: 'account', id: actor.accountId })) throw forbidden();
}
const invalidLink = () =>
	httpError(
		400,
		ErrorCode.invalidSetPasswordLink,
		'This link is unknown, expired or used: ask an administrator for a new one.'
	);

/** The account a device call is about: the caller's own, or (administrators) the one named. */
async function accountAsked(db: Database, actor: Actor, named: string | undefined) {
	if (named === undefined || named === actor.accountId) {
		return { id: actor.accountId, ownerId: actor.ownerId };
	}
	if (!can(actor, 'account.manage', { kind: 'account', id: named })) throw forbidden();
	const account = v.is(v.pipe(v.string(), v.uuid()), named)
		? await accountOwner(db, named)
		: undefined;
	if (!account) throw httpError(404, ErrorCode.notFound, 'No such account.');
	return account;
}
