import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import * as v from 'valibot';
import { ErrorCode } from '../../shared/errors';
import {
	DeviceId,
	Header,
	MAX_BODY_BYTES,
	MAX_PULL_LIMIT,
	MIN_PROTOCOL_VERSION,
	PROTOCOL_VERSION,
	PushRequest,
	type MutationResult,
	type PullResponse,
	type PushResponse
} from '../../shared/protocol';
import { stateColumns, toApplicationState } from '../application-state';
import { applyMutation } from '../apply-mutation';
import type { Database } from '../db/open';
import { applications, changes } from '../db/schema';
import { FEED_START, decodeCursor, encodeCursor } from '../feed-cursor';
import { httpError } from '../http-error';

const DEFAULT_PULL_LIMIT = 200;

/**
 * Every sync call says which protocol it speaks and which device it is. The protocol is
 * checked first: a client too old (or too new) may not send anything else we understand.
 */
const syncHeaders = createMiddleware<{ Variables: { deviceId: string } }>(async (c, next) => {
	const protocol = c.req.header(Header.protocol) ?? '';
	const version = /^\d{1,6}$/.test(protocol) ? Number(protocol) : NaN;
	if (!(version >= MIN_PROTOCOL_VERSION && version <= PROTOCOL_VERSION)) {
		throw httpError(
			426,
			ErrorCode.unsupportedProtocol,
			`This version of the app is no longer supported: please update it. ` +
				`The server speaks protocol ${MIN_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}.`
		);
	}
	const device = c.req.header(Header.device);
	if (!v.is(DeviceId, device)) {
		throw httpError(400, ErrorCode.missingDevice, `The ${Header.device} header must be a UUID.`);
	}
	c.set('deviceId', device);
	await next();
});

const PullQuery = v.object({
	cursor: v.optional(v.string()),
	limit: v.optional(
		v.pipe(
			v.string(),
			v.regex(/^\d{1,6}$/, 'expected an integer'),
			v.transform(Number),
			v.minValue(1, `expected at least 1`),
			v.maxValue(MAX_PULL_LIMIT, `expected at most ${MAX_PULL_LIMIT}`)
		),
		String(DEFAULT_PULL_LIMIT)
	)
});

/** Dotted path → first message, for the `issues` of an invalid_body error. */
function issuesOf(issues: readonly v.BaseIssue<unknown>[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (const issue of issues) {
		const path = v.getDotPath(issue) ?? '';
		out[path] ??= issue.message;
	}
	return out;
}

/**
 * The whole batch is checked before anything is written: a malformed request is a client
 * bug, and applying half of it would only make the bug harder to see.
 */
function parsePush(body: unknown): PushRequest {
	const parsed = v.safeParse(PushRequest, body);
	if (parsed.success) return parsed.output;
	throw httpError(
		400,
		ErrorCode.invalidBody,
		'The request body does not match the push schema.',
		issuesOf(parsed.issues)
	);
}

/** Push (device → server) and pull (server → device) of the offline queue. */
export function syncRoutes(db: Database) {
	return new Hono()
		.post(
			'/push',
			syncHeaders,
			bodyLimit({
				maxSize: MAX_BODY_BYTES,
				onError: () => {
					throw httpError(
						413,
						ErrorCode.bodyTooLarge,
						`A push may be at most ${MAX_BODY_BYTES} bytes: send fewer mutations at once.`
					);
				}
			}),
			async (c) => {
				let body: unknown;
				try {
					body = await c.req.json();
				} catch {
					throw httpError(400, ErrorCode.invalidJson, 'The request body is not valid JSON.');
				}
				const request = parsePush(body);
				const deviceId = c.get('deviceId');
				// A device's mutations take effect in the order it made them (promise 3),
				// one at a time; results go back in the order they were sent.
				const ordered = request.mutations
					.map((mutation, index) => ({ mutation, index }))
					.sort((a, b) => a.mutation.seq - b.mutation.seq);
				const results: MutationResult[] = new Array(ordered.length);
				for (const { mutation, index } of ordered) {
					results[index] = await applyMutation(db, deviceId, mutation);
				}
				return c.json({ results } satisfies PushResponse);
			}
		)
		.get('/pull', syncHeaders, async (c) => {
			const query = v.safeParse(PullQuery, c.req.query());
			if (!query.success) {
				throw httpError(
					400,
					ErrorCode.invalidBody,
					'The pull query is not valid.',
					issuesOf(query.issues)
				);
			}
			const { cursor, limit } = query.output;
			const after = cursor === undefined ? FEED_START : decodeCursor(cursor);
			if (!after) {
				throw httpError(
					400,
					ErrorCode.invalidCursor,
					'The cursor was not made by this server: pull again without one.'
				);
			}
			const deviceId = c.get('deviceId');

			// Sequence numbers are handed out when a row is inserted but become visible when
			// its transaction commits, so a transaction that started earlier can commit a
			// lower seq after we have already served a higher one; a cursor on seq alone would
			// skip it forever. So the feed is ordered by (txid, seq) and read only below
			// pg_snapshot_xmin: every transaction with a lower id has finished (committed or
			// aborted), and every transaction still running or yet to start has an id at or
			// above it. No row can therefore ever appear behind the cursor we hand out. The
			// price: one long-running writing transaction delays (never loses) pulls.
			const rows = await db
				.select({ txid: changes.txid, seq: changes.seq, applicationId: changes.applicationId })
				.from(changes)
				.where(
					and(
						eq(changes.deviceId, deviceId),
						sql`(${changes.txid}, ${changes.seq}) > (${after.txid}::xid8, ${after.seq}::bigint)`,
						sql`${changes.txid} < pg_snapshot_xmin(pg_current_snapshot())`
					)
				)
				.orderBy(asc(changes.txid), asc(changes.seq))
				.limit(limit + 1);

			const hasMore = rows.length > limit;
			const page = rows.slice(0, limit);
			const last = page.at(-1);
			const nextCursor = last
				? encodeCursor({ txid: last.txid, seq: last.seq.toString() })
				: (cursor ?? encodeCursor(FEED_START));

			// Each application once, in the order of its latest change in this page, with its
			// state as it is now: a device keeps the highest version it has seen, so a state
			// newer than the page is harmless and its own change arrives in a later page.
			const ids = [...new Set(page.map((r) => r.applicationId).reverse())].reverse();
			const states = ids.length
				? await db
						.select(stateColumns)
						.from(applications)
						// Owner checked again here, not only in the feed: least privilege.
						.where(and(inArray(applications.id, ids), eq(applications.deviceId, deviceId)))
				: [];
			const byId = new Map(states.map((row) => [row.id, toApplicationState(row)]));
			const changed = ids.flatMap((id) => byId.get(id) ?? []);

			return c.json({ changes: changed, cursor: nextCursor, hasMore } satisfies PullResponse);
		});
}
