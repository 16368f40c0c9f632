import { and, asc, eq, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import * as v from 'valibot';
import { deviceIdOf } from '../../shared/device-signature';
import { ErrorCode } from '../../shared/errors';
import {
	Header,
	MAX_BODY_BYTES,
	MAX_PULL_LIMIT,
	PushRequest,
	RegisterRequest,
	type DevicePublicKey,
	type PullResponse,
	type PushResponse,
	type RegisterResponse
} from '../../shared/protocol';
import { stateColumns, toApplicationState } from '../application-state';
import type { Catalogue } from '../catalogue';
import type { Database } from '../db/open';
import { applications, devices } from '../db/schema';
import { authenticateDevice, protocolHeader, type DeviceKeys } from '../device-auth';
import { FEED_START, decodeCursor, encodeCursor } from '../feed-cursor';
import { httpError, issuesOf } from '../http-error';
import { applyPush } from '../push';
import { decodeBody, parseBody, parseJson, readRawBody } from '../request-body';

const DEFAULT_PULL_LIMIT = 200;
// A registration is one small JSON Web Key; nothing honest comes near this.
const REGISTER_BODY_BYTES = 4096;

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

/**
 * True when the key is a point on P-256 that WebCrypto accepts. The schema checks only
 * the shape; a key that cannot be imported would make every later request from the
 * device fail, so it is refused at the door.
 */
async function isUsableKey(publicKey: DevicePublicKey): Promise<boolean> {
	try {
		await crypto.subtle.importKey('jwk', publicKey, { name: 'ECDSA', namedCurve: 'P-256' }, false, [
			'verify'
		]);
		return true;
	} catch {
		return false;
	}
}

/** Register, push (device → server) and pull (server → device) of the offline queue. */
export function syncRoutes(db: Database, keys: DeviceKeys, catalogue: Catalogue) {
	return (
		new Hono()
			/**
			 * Makes a device known by its public key. Idempotent: the id is the key's
			 * thumbprint, so registering the same key again finds the same row. Unsigned by
			 * design: proving the key needs the key, and every later request proves it.
			 */
			.post('/register', protocolHeader, async (c) => {
				const raw = await readRawBody(c.req.raw, REGISTER_BODY_BYTES);
				const body = await decodeBody(raw, c.req.header('Content-Encoding'), REGISTER_BODY_BYTES);
				const { publicKey } = parseBody(RegisterRequest, parseJson(body), 'register');
				if (!(await isUsableKey(publicKey))) {
					throw httpError(400, ErrorCode.invalidBody, 'The public key is not a P-256 point.', {
						publicKey: 'not a point on P-256'
					});
				}
				const deviceId = await deviceIdOf(publicKey);
				const named = c.req.header(Header.device);
				if (named !== undefined && named !== deviceId) {
					throw httpError(
						400,
						ErrorCode.invalidBody,
						`The ${Header.device} header is not the thumbprint of this key.`,
						{ [Header.device]: 'expected the thumbprint of publicKey' }
					);
				}
				// Only the four members the schema kept are stored, never extra ones sent along.
				await db
					.insert(devices)
					.values({ id: deviceId, publicKey })
					.onConflictDoNothing({ target: devices.id });
				return c.json({ deviceId } satisfies RegisterResponse);
			})
			.post('/push', protocolHeader, authenticateDevice(keys, MAX_BODY_BYTES), async (c) => {
				// Only now, with the sender known and the bytes signed, is the body inflated.
				const body = await decodeBody(
					c.var.rawBody,
					c.req.header('Content-Encoding'),
					MAX_BODY_BYTES
				);
				const request = parseBody(PushRequest, parseJson(body), 'push');
				const results = await applyPush(db, c.var.deviceId, request.mutations, catalogue);
				return c.json({ results } satisfies PushResponse);
			})
			.get('/pull', protocolHeader, authenticateDevice(keys, 0), async (c) => {
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
			})
	);
}
