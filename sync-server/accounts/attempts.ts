import { sql } from 'drizzle-orm';
import type { Database, Transaction } from '../db/open';
import { attemptCounters } from '../db/schema';
import { hashOf } from './tokens';

/**
 * Fixed-window counters in PostgreSQL, shared by every server process: sign-in attempts
 * and codes sent, per phone, account, device and address. Deliberately minimal: the
 * general rate limiter (http/rate-limit.ts) replaces it when it lands; the callers need
 * only `countAttempt`.
 */
export interface Limit {
	/** What is counted, e.g. `code:phone`; the subject is hashed into the key. */
	name: string;
	max: number;
	windowMs: number;
}

/** The limits of the accounts API. Per address they are loose: a village may share one. */
export const Limits = {
	codesPerPhone: { name: 'code:phone', max: 5, windowMs: 60 * 60_000 },
	codesPerDevice: { name: 'code:device', max: 10, windowMs: 60 * 60_000 },
	codesPerAddress: { name: 'code:ip', max: 100, windowMs: 60 * 60_000 },
	signInsPerLogin: { name: 'sign-in:login', max: 30, windowMs: 60 * 60_000 },
	signInsPerAddress: { name: 'sign-in:ip', max: 300, windowMs: 60 * 60_000 }
} as const satisfies Record<string, Limit>;

/**
 * Counts one attempt of `subject` against `limit`: null when it may go ahead, else how
 * many seconds until the window ends. Refused attempts are counted too, so hammering
 * does not shorten the wait. Call it outside the transaction of the attempt, so that an
 * attempt that fails (and rolls back) still counts.
 */
export async function countAttempt(
	db: Database | Transaction,
	limit: Limit,
	subject: string
): Promise<number | null> {
	// Subjects are phones and addresses: only their hashes are kept.
	const key = `${limit.name}:${hashOf(subject).slice(0, 32)}`;
	const windowStart = sql`to_timestamp(floor(extract(epoch from now()) * 1000 / ${limit.windowMs}) * ${limit.windowMs} / 1000.0)`;
	const [row] = await db
		.insert(attemptCounters)
		.values({ key, windowStart, count: 1 })
		.onConflictDoUpdate({
			target: [attemptCounters.key, attemptCounters.windowStart],
			set: { count: sql`${attemptCounters.count} + 1` }
		})
		.returning({
			count: attemptCounters.count,
			left: sql<string>`ceil(extract(epoch from ${attemptCounters.windowStart} + ${limit.windowMs} * interval '1 millisecond' - now()))::text`
		});
	if (!row) throw new Error('the attempt was not counted');
	return row.count > limit.max ? Math.max(1, Number(row.left)) : null;
}

/** Drops counters whose window ended a day ago: nobody asks about them any more. */
export async function sweepAttempts(db: Database): Promise<void> {
	await db
		.delete(attemptCounters)
		.where(sql`${attemptCounters.windowStart} < now() - interval '1 day'`);
}
