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
import type { Database } from '../db/open';
import { applications, changes, devices } from '../db/schema';
import { authenticateDevice, protocolHeader, type DeviceKeys } from '../device-auth';
import { FEED_START, decodeCursor, encodeCursor } from '../feed-cursor';
import { httpError, issuesOf } from '../http-error';
import { applyPush } from '../push';
import { decodeBody, parseJson, readRawBody } from '../request-body';
import { uuidsFrom } from '../sql-rows';

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
 * The body parsed with a protocol schema, or a 400 naming what is wrong. The whole
 * request is checked before anything is written: a malformed request is a client bug,
 * and applying half of it would only make the bug harder to see.
 */
function parseBody<S extends v.GenericSchema>(schema: S, body: unknown, what: string) {
	const parsed = v.safeParse(schema, body);
	if (parsed.success) return parsed.output;
	throw httpError(
		400,
		ErrorCode.invalidBody,
		`The request body does not match the ${what} schema.`,
		issuesOf(parsed.issues)
	);
}

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
export function syncRoutes(db: Database, keys: DeviceKeys) {
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
				const results = await applyPush(db, c.var.deviceId, request.mutations);
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
				const deviceId = c.var.deviceId;
				const after = cursor === undefined ? FEED_START : decodeCursor(cursor, deviceId);
				if (!after) {
					throw httpError(
						400,
						ErrorCode.invalidCursor,
						'The cursor was not made by this server for this device: pull again without one.'
					);
				}

				// Sequence numbers are handed out when a row is inserted but become visible when
				// its transaction commits, so a transaction that started earlier can commit a
				// lower seq after we have already served a higher one; a cursor on seq alone
				// would skip it forever. So the feed is ordered by (txid, seq) and read only
				// below pg_snapshot_xmin: every transaction with a lower id has finished
				// (committed or aborted), and every transaction still running or yet to start
				// has an id at or above it. No row can therefore ever appear behind the cursor
				// we hand out. The price: one long-running writing transaction delays (never
				// loses) pulls.
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
					.limit(limit + 1)
					.prepare('pull_feed')
					.execute();

				const hasMore = rows.length > limit;
				const page = rows.slice(0, limit);
				const last = page.at(-1);
				const nextCursor = last
					? encodeCursor({ txid: last.txid, seq: last.seq.toString() }, deviceId)
					: (cursor ?? encodeCursor(FEED_START, deviceId));

				// Each application once, in the order of its latest change in this page, with
				// its state as it is now: a device keeps the highest version it has seen, so a
				// state newer than the page is harmless and its own change arrives in a later
				// page.
				const ids = [...new Set(page.map((r) => r.applicationId).reverse())].reverse();
				const states = ids.length
					? await db
							.select(stateColumns)
							.from(applications)
							// Owner checked again here, not only in the feed: least privilege.
							.where(
								and(
									sql`${applications.id} = any(${uuidsFrom(ids)})`,
									eq(applications.deviceId, deviceId)
								)
							)
							.prepare('pull_states')
							.execute()
					: [];
				const byId = new Map(states.map((row) => [row.id, toApplicationState(row)]));
				const changed = ids.flatMap((id) => byId.get(id) ?? []);

				return c.json({ changes: changed, cursor: nextCursor, hasMore } satisfies PullResponse);
			})
	);
}
