/**
 * The nonces of accepted signed requests (`request_nonces`), kept in the database so that
 * every server refuses a copy of a request any of them served. See device-auth.ts for
 * the window they live in.
 */
import { lt } from 'drizzle-orm';
import type { Database } from '../db/open';
import { requestNonces } from '../db/schema';

/**
 * Records `nonce` for `deviceId`; false when it was already recorded. One insert, decided
 * by the primary key: of two servers handed the same request at the same moment, exactly
 * one insert succeeds (the other waits for it, then finds the row), so at most one of
 * them serves it. It commits on its own, before the request's work: a request that then
 * fails has spent its nonce, and the device signs its retry afresh.
 */
export async function claimNonce(
	db: Database,
	deviceId: string,
	nonce: string,
	expiresAt: Date
): Promise<boolean> {
	const claimed = await db
		.insert(requestNonces)
		.values({ deviceId, nonce, expiresAt })
		.onConflictDoNothing()
		.returning({ nonce: requestNonces.nonce });
	return claimed.length === 1;
}

/**
 * Deletes the nonces of requests whose time has left the window: a copy of one of them
 * is refused as stale before its nonce is looked at. `graceMs` keeps them a little longer,
 * so a server whose clock runs behind the pruning server's by less than that still finds
 * every nonce it could accept a copy of. Any server may run it, any number at once.
 */
export async function pruneNonces(db: Database, now: number, graceMs: number): Promise<void> {
	await db.delete(requestNonces).where(lt(requestNonces.expiresAt, new Date(now - graceMs)));
}
