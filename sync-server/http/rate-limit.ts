/**
 * Rate limits shared by every server process: counters in PostgreSQL (`rate_limits`),
 * one fixed window per rule and key, counted and read in one statement. Any feature asks
 * `limiter.check(rule, key)` before it does work: pushes and uploads per device,
 * registrations per address, sign-in codes per phone, device and address, staff sign-ins
 * per login and address. The only counters of the server: one limiter for everything.
 *
 * Fixed windows, not sliding ones: one upsert, one row per key, and the worst case (a
 * burst at the end of one window and the start of the next) is twice the limit, which is
 * still a bound. The database's clock decides, so every server agrees on the window.
 */
import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { ErrorCode } from '../../shared/errors';
import type { Database } from '../db/open';
import { rateLimits } from '../db/schema';
import { HTTPException } from 'hono/http-exception';
import { errorResponse } from './errors';
import type { Limits, RateRule, RateRules } from './limits';

/** Checks and counts requests against the configured rules; one per app. */
export interface RateLimiter {
	/**
	 * Counts one request of `key` (an address, a device id) under the rule `name`, and
	 * throws a 429 `rate_limited` with `Retry-After` when it is over the limit. A rule
	 * turned off by configuration and an unknown key (no socket: an in-process caller)
	 * count nothing.
	 */
	check(name: keyof RateRules, key: string | undefined, code?: ErrorCode): Promise<void>;
	/**
	 * Refuses as `check` would when the limit is already spent, counting nothing: for a
	 * limit on what really happened (a code sent), counted by `count` once it has.
	 */
	refuseIfSpent(name: keyof RateRules, key: string | undefined, code?: ErrorCode): Promise<void>;
	/** Counts one of `key` under `name`, refusing nothing (see `refuseIfSpent`). */
	count(name: keyof RateRules, key: string | undefined): Promise<void>;
}

/** What a feature needs to enforce its limits: the configured numbers and the counters. */
export interface RequestLimits {
	limits: Limits;
	limiter: RateLimiter;
}

/** The refusal every limit answers: 429, the seconds to wait, and a code the app knows. */
export function rateLimited(
	retryAfterSeconds: number,
	message: string,
	code: ErrorCode = ErrorCode.rateLimited
): HTTPException {
	const res = errorResponse(429, { code, message });
	res.headers.set('Retry-After', String(retryAfterSeconds));
	return new HTTPException(429, { message, res });
}

/** A key as the table keeps it: never the address or id itself. */
function keyHashOf(rule: RateRule, key: string): string {
	return createHash('sha256').update(`${rule.name}\n${key}`).digest('base64url');
}

/** Counters in `db`'s `rate_limits` table, for `rules`. */
export function rateLimiter(db: Database, rules: RateRules): RateLimiter {
	const refuse = (rule: RateRule, wait: number, code: ErrorCode | undefined) =>
		rateLimited(
			wait,
			`Too many requests of this kind (at most ${rule.limit} in ${rule.windowSeconds} s): try again in ${wait} s.`,
			code
		);

	/** Counts one, in one statement; the window's count and seconds left after it. */
	async function countOne(rule: RateRule, key: string) {
		const window = sql`now() + ${rule.windowSeconds} * interval '1 second'`;
		// One statement: a new key starts a window; an ended window starts again at 1;
		// otherwise one more, capped just over the limit (so the count can never
		// overflow, whatever a flood sends). SET expressions see the row as it was.
		const expired = sql`rate_limits.resets_at <= now()`;
		const [row] = await db
			.insert(rateLimits)
			.values({ rule: rule.name, keyHash: keyHashOf(rule, key), hits: 1, resetsAt: window })
			.onConflictDoUpdate({
				target: [rateLimits.rule, rateLimits.keyHash],
				set: {
					hits: sql`case when ${expired} then 1
						else least(rate_limits.hits + 1, ${rule.limit + 1}::int) end`,
					resetsAt: sql`case when ${expired} then excluded.resets_at
						else rate_limits.resets_at end`
				}
			})
			.returning({
				hits: rateLimits.hits,
				wait: sql<number>`greatest(1, ceil(extract(epoch from rate_limits.resets_at - now())))::int`
			});
		if (!row) throw new Error('the rate counter was not written');
		return { hits: row.hits, wait: Number(row.wait) };
	}

	return {
		async check(name, key, code) {
			const rule = rules[name];
			if (!rule || key === undefined) return;
			const { hits, wait } = await countOne(rule, key);
			if (hits > rule.limit) throw refuse(rule, wait, code);
		},
		async refuseIfSpent(name, key, code) {
			const rule = rules[name];
			if (!rule || key === undefined) return;
			const [row] = await db
				.select({
					hits: rateLimits.hits,
					wait: sql<number>`greatest(1, ceil(extract(epoch from ${rateLimits.resetsAt} - now())))::int`
				})
				.from(rateLimits)
				.where(
					and(
						eq(rateLimits.rule, rule.name),
						eq(rateLimits.keyHash, keyHashOf(rule, key)),
						sql`${rateLimits.resetsAt} > now()`
					)
				);
			if (row && row.hits >= rule.limit) throw refuse(rule, Number(row.wait), code);
		},
		async count(name, key) {
			const rule = rules[name];
			if (!rule || key === undefined) return;
			await countOne(rule, key);
		}
	};
}

/** Deletes the counters whose window ended; resolves to how many. */
export async function sweepRateLimits(db: Database): Promise<number> {
	const deleted = await db
		.delete(rateLimits)
		.where(lt(rateLimits.resetsAt, sql`now()`))
		.returning({ rule: rateLimits.rule });
	return deleted.length;
}

/**
 * The address a request came from, for per-address limits: the socket's peer, or, behind
 * `trustedProxies` reverse proxies, the address the outermost of them saw (the entry that
 * many places from the end of `X-Forwarded-For`; what a client wrote in front of it is
 * not believed). Undefined with no socket (a request made in-process, as tests do).
 */
export function clientAddress(c: Context, trustedProxies: number): string | undefined {
	const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
	const peer = env?.incoming?.socket?.remoteAddress;
	if (peer === undefined || trustedProxies === 0) return peer;
	const forwarded = (c.req.header('X-Forwarded-For') ?? '')
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
	return forwarded.at(-trustedProxies) ?? forwarded[0] ?? peer;
}
