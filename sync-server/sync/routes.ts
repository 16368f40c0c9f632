import { and, asc, eq, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import * as v from 'valibot';
import { ErrorCode } from '../../shared/errors';
import {
	MAX_BODY_BYTES,
	MAX_PULL_LIMIT,
	PushRequest,
	type PullResponse,
	type PushResponse
} from '../../shared/protocol';
import { stateColumns, toApplicationState } from './application-state';
import type { Catalogue } from '../catalogue/catalogue';
import type { Database } from '../db/open';
import { applications, devices } from '../db/schema';
import { deviceSession } from '../accounts/sessions';
import { authenticateDevice, protocolHeader, type DeviceAuth } from '../devices/device-auth';
import type { Sightings } from '../devices/sightings';
import { FEED_START, decodeCursor, encodeCursor } from './feed-cursor';
import { httpError, issuesOf } from '../http/errors';
import { applyPush } from './push';
import type { DocumentKeys } from '../documents/signing-keys';
import { readJsonBody } from '../http/request-body';
import type { RequestLimits } from '../http/rate-limit';

const DEFAULT_PULL_LIMIT = 200;

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

/** Push (device → server) and pull (server → device) of the offline queue. */
export function syncRoutes(
	db: Database,
	auth: DeviceAuth,
	catalogue: Catalogue,
	{ limiter }: RequestLimits,
	sightings: Sightings,
	documents: DocumentKeys
) {
	const session = deviceSession(db, sightings);
	return new Hono()
		.post('/push', protocolHeader, authenticateDevice(auth, MAX_BODY_BYTES), session, async (c) => {
			// Counted only once the device proved itself: an unsigned flood naming a device
			// must not use up that device's pushes.
			await limiter.check('push', c.var.deviceId);
			// Only now, with the sender known and the bytes signed, is the body inflated.
			const request = await readJsonBody(c.req.raw, PushRequest, 'push', {
				limit: MAX_BODY_BYTES,
				raw: c.var.rawBody
			});
			const results = await applyPush(db, c.var.deviceId, request.mutations, catalogue, {
				actor: c.var.actor.accountId,
				documents
			});
			return c.json({ results } satisfies PushResponse);
		})
		.get('/pull', protocolHeader, authenticateDevice(auth, 0), session, async (c) => {
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
			const [device] = await db
				.select({ ownerId: devices.ownerId })
				.from(devices)
				.where(eq(devices.id, c.var.deviceId))
				.prepare('pull_owner')
				.execute();
			if (!device) {
				throw httpError(401, ErrorCode.unknownDevice, 'This device is not registered here.');
			}
			const { ownerId } = device;
			const after = cursor === undefined ? FEED_START : decodeCursor(cursor, ownerId);
			if (!after) {
				throw httpError(
					400,
					ErrorCode.invalidCursor,
					'The cursor was not made by this server for this device: pull again without one.'
				);
			}

			// Sequence numbers are handed out when a row is written but become visible when
			// its transaction commits, so a transaction that started earlier can commit a
			// lower position after we have already served a higher one; a cursor on the
			// position alone would skip it forever. So the feed is ordered by (txid,
			// feed_seq) and read only below pg_snapshot_xmin: every transaction with a lower
			// id has finished (committed or aborted), and every transaction still running or
			// yet to start has an id at or above it. No row can therefore ever appear behind
			// the cursor we hand out: a row written later moves to a position after it. The
			// price: one long-running writing transaction delays (never loses) pulls.
			const rows = await db
				.select({ ...stateColumns, txid: applications.txid, feedSeq: applications.feedSeq })
				.from(applications)
				.where(
					and(
						eq(applications.ownerId, ownerId),
						sql`(${applications.txid}, ${applications.feedSeq}) > (${after.txid}::xid8, ${after.seq}::bigint)`,
						sql`${applications.txid} < pg_snapshot_xmin(pg_current_snapshot())`
					)
				)
				.orderBy(asc(applications.txid), asc(applications.feedSeq))
				.limit(limit + 1)
				.prepare('pull_feed')
				.execute();

			const hasMore = rows.length > limit;
			const page = rows.slice(0, limit);
			const last = page.at(-1);
			const nextCursor = last
				? encodeCursor({ txid: last.txid, seq: last.feedSeq.toString() }, ownerId)
				: (cursor ?? encodeCursor(FEED_START, ownerId));
			// Each application at most once, at its latest change, as it is now.
			const changed = page.map(toApplicationState);

			return c.json({ changes: changed, cursor: nextCursor, hasMore } satisfies PullResponse);
		});
}
