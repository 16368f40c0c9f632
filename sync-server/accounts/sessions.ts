import { and, eq, isNull, sql } from 'drizzle-orm';
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
import { accounts, sessions } from '../db/schema';
import { verifiedDevice, type DeviceAuth } from '../devices/device-auth';
import { httpError } from '../http/errors';
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

/** A fresh pair of tokens and their ends, by the database's clock. */
function newPair() {
	const accessToken = newToken('da_');
	const refreshToken = newToken('dr_');
	return {
		tokens: { accessToken, refreshToken },
		row: {
			accessHash: hashOf(accessToken),
			refreshHash: hashOf(refreshToken),
			accessExpiresAt: sql`now() + ${ACCESS_TTL_MS} * interval '1 millisecond'`,
			refreshExpiresAt: sql`now() + ${REFRESH_TTL_MS} * interval '1 millisecond'`
		}
	};
}

/** Opens a session for `accountId` on `deviceId`, inside the sign-in's transaction. */
export async function openSession(
	tx: Transaction,
	accountId: string,
	deviceId: string
): Promise<Session> {
	const [account] = await tx
		.select(accountColumns)
		.from(accounts)
		.where(eq(accounts.id, accountId));
	if (!account) throw new Error(`no account ${accountId}`);
	const { tokens, row } = newPair();
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
			expired: sql<boolean>`${sessions.accessExpiresAt} <= now()`,
			account: accountColumns
		})
		.from(sessions)
		.innerJoin(accounts, eq(accounts.id, sessions.accountId))
		.where(eq(sessions.accessHash, hashOf(match[1])));
	if (!row || row.revoked || row.deviceId !== deviceId) throw invalid();
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
 * A new pair for a refresh token, on the device it was issued to. The old pair stops
 * working at once (rotation): a refresh token copied and used by someone else leaves the
 * real device signed out, which it notices and reports by signing in again.
 */
export async function refreshSession(
	db: Database,
	deviceId: string,
	refreshToken: string
): Promise<Session> {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select({
				id: sessions.id,
				accountId: sessions.accountId,
				deviceId: sessions.deviceId,
				revoked: sql<boolean>`${sessions.revokedAt} is not null`,
				expired: sql<boolean>`${sessions.refreshExpiresAt} <= now()`
			})
			.from(sessions)
			.where(eq(sessions.refreshHash, hashOf(refreshToken)))
			.for('update');
		if (!row || row.revoked || row.deviceId !== deviceId) throw invalid();
		if (row.expired) throw expired();
		const [account] = await tx
			.select(accountColumns)
			.from(accounts)
			.where(eq(accounts.id, row.accountId));
		if (!account) throw invalid();
		const { tokens, row: pair } = newPair();
		const [stored] = await tx.update(sessions).set(pair).where(eq(sessions.id, row.id)).returning({
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

/** Ends one session (sign-out); its tokens stop working on every server at once. */
export async function revokeSession(db: Database, actor: Actor, sessionId: string): Promise<void> {
	await db.transaction(async (tx) => {
		await tx
			.update(sessions)
			.set({ revokedAt: sql`now()` })
			.where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
		await appendAudit(tx, {
			action: AuditAction.sessionRevoked,
			actor: actor.accountId,
			device: actor.deviceId,
			subject: sessionId
		});
	});
}

/** Ends every live session of a device (revoked, or moved to another person). */
export async function revokeDeviceSessions(tx: Transaction, deviceId: string): Promise<void> {
	await tx
		.update(sessions)
		.set({ revokedAt: sql`now()` })
		.where(and(eq(sessions.deviceId, deviceId), isNull(sessions.revokedAt)));
}
