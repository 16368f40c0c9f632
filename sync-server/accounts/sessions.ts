import { randomUUID } from 'node:crypto';
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import * as v from 'valibot';
import {
	ACCESS_TTL_MS,
	AccessToken,
	REFRESH_TTL_MS,
	type AccountView,
	type Session
} from '../../shared/accounts';
import { ErrorCode } from '../../shared/errors';
import type { Database, Transaction } from '../db/open';
import { lockOwners } from '../db/lock-order';
import { accounts, devices, sessions, type SessionEnd } from '../db/schema';
import { verifiedDevice, type DeviceAuth } from '../devices/device-auth';
import type { Sightings } from '../devices/sightings';
import { httpError } from '../http/errors';
import { wholeNumber } from '../http/limits';
import { readRawBody } from '../http/request-body';
import { appendAudit, AuditAction } from './audit';
import type { Actor } from './policy';
import { hashOf, newToken } from './tokens';

const accountColumns = {
	id: accounts.id,
	role: accounts.role,
	ownerId: accounts.ownerId,
	iin: accounts.iin,
	name: accounts.name,
	region: accounts.region
};

function viewOf(account: {
	id: string;
	role: Actor['role'];
	name: string | null;
	region: string | null;
}): AccountView {
	return { id: account.id, role: account.role, name: account.name, region: account.region };
}

/** How long sessions last: settings (`SESSION_ACCESS_SECONDS`, `SESSION_REFRESH_SECONDS`). */
export interface SessionLifetimes {
	accessMs: number;
	refreshMs: number;
}

export const DEFAULT_SESSION_LIFETIMES: SessionLifetimes = {
	accessMs: ACCESS_TTL_MS,
	refreshMs: REFRESH_TTL_MS
};

/** The lifetimes the environment asks for; a typo stops start-up. */
export function sessionLifetimesFromEnv(env: Record<string, string | undefined>): SessionLifetimes {
	const d = DEFAULT_SESSION_LIFETIMES;
	return {
		accessMs: 1000 * wholeNumber(env, 'SESSION_ACCESS_SECONDS', d.accessMs / 1000, 10, 86_400),
		refreshMs:
			1000 * wholeNumber(env, 'SESSION_REFRESH_SECONDS', d.refreshMs / 1000, 60, 400 * 86_400)
	};
}

/**
 * How long a refresh token still works after it was used: the device sent it, the server
 * rotated the pair, and the answer was lost on 2G. The device sends the same token again,
 * and gets a new pair rather than being signed out. The pair of the lost answer stops
 * working then; it never reached anyone (a copy elsewhere is useless without the device's key).
 */
export const REFRESH_GRACE_MS = 2 * 60_000;

/** A fresh pair of tokens and their ends, by the database's clock. */
function newPair(lifetimes: SessionLifetimes) {
	const accessToken = newToken('da_');
	const refreshToken = newToken('dr_');
	return {
		tokens: { accessToken, refreshToken },
		row: {
			accessHash: hashOf(accessToken),
			refreshHash: hashOf(refreshToken),
			accessExpiresAt: sql`now() + ${lifetimes.accessMs} * interval '1 millisecond'`,
			refreshExpiresAt: sql`now() + ${lifetimes.refreshMs} * interval '1 millisecond'`
		}
	};
}

/** Opens a session for `accountId` on `deviceId`, inside the sign-in's transaction. */
export async function openSession(
	tx: Transaction,
	accountId: string,
	deviceId: string,
	lifetimes: SessionLifetimes = DEFAULT_SESSION_LIFETIMES
): Promise<Session> {
	const [account] = await tx
		.select(accountColumns)
		.from(accounts)
		.where(eq(accounts.id, accountId));
	if (!account) throw new Error(`no account ${accountId}`);
	const { tokens, row } = newPair(lifetimes);
	const [stored] = await tx
		.insert(sessions)
		.values({ accountId, deviceId, ...row })
		.returning({
			accessExpiresAt: sessions.accessExpiresAt,
			refreshExpiresAt: sessions.refreshExpiresAt
		});
	if (!stored) throw new Error('the session was not stored');
	return {
		account: viewOf(account),
		...tokens,
		accessExpiresAt: stored.accessExpiresAt.toISOString(),
		refreshExpiresAt: stored.refreshExpiresAt.toISOString()
	};
}

const invalid = () =>
	httpError(401, ErrorCode.sessionInvalid, 'Sign in: this device has no valid session.');
const expired = () =>
	httpError(401, ErrorCode.sessionExpired, 'The session has expired: refresh it or sign in again.');
const deviceRevoked = () =>
	httpError(
		401,
		ErrorCode.deviceRevoked,
		'This device was removed from the account: sign in again to use it.'
	);

/**
 * Why a token found for this device does not work, if it does not: revoked devices learn
 * it by their own code (only the device the session was issued to: anyone else learns
 * nothing about it), everything else is simply not a session.
 */
function refusal(
	row: { deviceId: string; revoked: boolean; endedBy: SessionEnd | null } | undefined,
	deviceId: string
) {
	if (!row || row.deviceId !== deviceId) return invalid();
	if (row.revoked) return row.endedBy === 'revoked' ? deviceRevoked() : invalid();
	return undefined;
}

/**
 * The session a request's `Authorization: Bearer` names, if it is live and was issued to
 * `deviceId`. A token shown by any other device is refused like an unknown one: a stolen
 * token is worth nothing without the device's private key. Only reads.
 */
export async function sessionActor(
	db: Database,
	authorization: string | undefined,
	deviceId: string
): Promise<{ actor: Actor; sessionId: string }> {
	const match = /^Bearer (\S{1,100})$/.exec(authorization ?? '');
	// Malformed or oversized tokens are refused before the database is asked.
	if (!match?.[1] || !v.is(AccessToken, match[1])) throw invalid();
	const [row] = await db
		.select({
			sessionId: sessions.id,
			deviceId: sessions.deviceId,
			revoked: sql<boolean>`${sessions.revokedAt} is not null`,
			endedBy: sessions.endedBy,
			expired: sql<boolean>`${sessions.accessExpiresAt} <= now()`,
			account: accountColumns
		})
		.from(sessions)
		.innerJoin(accounts, eq(accounts.id, sessions.accountId))
		.where(eq(sessions.accessHash, hashOf(match[1])));
	const refused = refusal(row, deviceId);
	if (refused || !row) throw refused ?? invalid();
	if (row.expired) throw expired();
	const { account } = row;
	return {
		sessionId: row.sessionId,
		actor: {
			accountId: account.id,
			role: account.role,
			ownerId: account.ownerId,
			iin: account.iin,
			region: account.region,
			deviceId
		}
	};
}

export interface SessionVariables {
	deviceId: string;
	rawBody: Uint8Array;
	actor: Actor;
	sessionId: string;
}

/**
 * A signed-in call: the device's signature first (device-auth.ts, in its fixed order),
 * then the session, which must be this device's. Run after `protocolHeader`.
 */
export function authenticateSession(db: Database, auth: DeviceAuth, bodyLimit: number) {
	return createMiddleware<{ Variables: SessionVariables }>(async (c, next) => {
		// Run twice on one request by the router (device-auth.ts `verifiedDevice`): what the
		// first run set stands, the session and the body it read among it.
		if ((c.get('sessionId') as string | undefined) !== undefined) return next();
		let rawBody: Uint8Array = new Uint8Array();
		const deviceId = await verifiedDevice(auth, c.req.raw, async () => {
			if (c.req.method !== 'GET') rawBody = await readRawBody(c.req.raw, bodyLimit);
			return rawBody;
		});
		const { actor, sessionId } = await sessionActor(db, c.req.header('Authorization'), deviceId);
		c.set('deviceId', deviceId);
		c.set('rawBody', rawBody);
		c.set('actor', actor);
		c.set('sessionId', sessionId);
		await next();
	});
}

/**
 * The person's session on a sync call — push, pull, uploads (protocol 3): the device is
 * already authenticated, and `Authorization: Bearer` must then name a live session issued
 * to it, or the call is refused (401) before anything is read or written. A call let
 * through is a sighting of the device (`sightings`), for the person's list of devices.
 */
export function deviceSession(db: Database, sightings: Sightings) {
	return createMiddleware<{ Variables: { deviceId: string; actor: Actor } }>(async (c, next) => {
		const { actor } = await sessionActor(db, c.req.header('Authorization'), c.var.deviceId);
		c.set('actor', actor);
		await sightings.seen(c.var.deviceId);
		await next();
	});
}

/**
 * A new pair for a refresh token, on the device it was issued to. The old pair stops
 * working at once (rotation): a refresh token copied and used by someone else leaves the
 * real device signed out, which it notices and reports by signing in again. The token
 * just rotated away still refreshes for REFRESH_GRACE_MS, for a device whose answer was
 * lost.
 */
export async function refreshSession(
	db: Database,
	deviceId: string,
	refreshToken: string,
	lifetimes: SessionLifetimes = DEFAULT_SESSION_LIFETIMES
): Promise<Session> {
	const hash = hashOf(refreshToken);
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select({
				id: sessions.id,
				accountId: sessions.accountId,
				deviceId: sessions.deviceId,
				current: sql<boolean>`${sessions.refreshHash} = ${hash}`,
				revoked: sql<boolean>`${sessions.revokedAt} is not null`,
				endedBy: sessions.endedBy,
				expired: sql<boolean>`${sessions.refreshExpiresAt} <= now()`
			})
			.from(sessions)
			.where(
				or(
					eq(sessions.refreshHash, hash),
					and(
						eq(sessions.previousRefreshHash, hash),
						sql`${sessions.refreshedAt} > now() - ${REFRESH_GRACE_MS} * interval '1 millisecond'`
					)
				)
			)
			.for('update');
		const refused = refusal(row, deviceId);
		if (refused || !row) throw refused ?? invalid();
		if (row.expired) throw expired();
		const [account] = await tx
			.select(accountColumns)
			.from(accounts)
			.where(eq(accounts.id, row.accountId));
		if (!account) throw invalid();
		const { tokens, row: pair } = newPair(lifetimes);
		// A retry within the grace keeps the token it retries with as the previous one.
		const rotation = row.current ? { previousRefreshHash: hash, refreshedAt: sql`now()` } : {};
		const [stored] = await tx
			.update(sessions)
			.set({ ...pair, ...rotation })
			.where(eq(sessions.id, row.id))
			.returning({
				accessExpiresAt: sessions.accessExpiresAt,
				refreshExpiresAt: sessions.refreshExpiresAt
			});
		if (!stored) throw new Error('the locked session could not be updated');
		await appendAudit(tx, {
			action: AuditAction.sessionRefreshed,
			actor: row.accountId,
			device: deviceId,
			subject: row.id
		});
		return {
			account: viewOf(account),
			...tokens,
			accessExpiresAt: stored.accessExpiresAt.toISOString(),
			refreshExpiresAt: stored.refreshExpiresAt.toISOString()
		};
	});
}

/**
 * Signs the device out (sign-out): its sessions of the account end, on every server at
 * once, and a citizen's device leaves the person's owner for an empty one of its own (as
 * revoking does), so whoever uses the phone next sees none of the person's applications;
 * they stay the person's, on the server and their other devices. Staff devices never took
 * an owner, so only the sessions end. Locks in the one order (db/lock-order.ts).
 */
export async function signOut(db: Database, actor: Actor, sessionId: string): Promise<void> {
	await db.transaction(async (tx) => {
		await lockOwners(tx, [actor.ownerId]);
		const [device] = await tx
			.select({ ownerId: devices.ownerId })
			.from(devices)
			.where(eq(devices.id, actor.deviceId))
			.for('update');
		if (device?.ownerId === actor.ownerId) {
			await tx.update(devices).set({ ownerId: randomUUID() }).where(eq(devices.id, actor.deviceId));
		}
		await tx
			.update(sessions)
			.set({ revokedAt: sql`now()`, endedBy: 'signed_out' })
			.where(
				and(
					eq(sessions.deviceId, actor.deviceId),
					eq(sessions.accountId, actor.accountId),
					isNull(sessions.revokedAt)
				)
			);
		await appendAudit(tx, {
			action: AuditAction.sessionRevoked,
			actor: actor.accountId,
			device: actor.deviceId,
			subject: sessionId
		});
	});
}

/** Ends every live session of a device: another person signed in on it. */
export async function replaceDeviceSessions(tx: Transaction, deviceId: string): Promise<void> {
	await tx
		.update(sessions)
		.set({ revokedAt: sql`now()`, endedBy: 'replaced' })
		.where(and(eq(sessions.deviceId, deviceId), isNull(sessions.revokedAt)));
}
