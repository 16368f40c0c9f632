import { eq } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import * as v from 'valibot';
import {
	importDeviceKey,
	REQUEST_NONCE,
	REQUEST_TIME,
	verifyRequest
} from '../../shared/device-signature';
import { ErrorCode } from '../../shared/errors';
import { DeviceId, Header, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../shared/protocol';
import type { Database } from '../db/open';
import { devices } from '../db/schema';
import { httpError } from '../http/errors';
import { readRawBody } from '../http/request-body';
import { claimNonce } from './request-nonces';

/**
 * Every sync call says which protocol it speaks, and that is checked before anything
 * else: a client too old (or too new) may not send anything else we understand.
 */
export const protocolHeader = createMiddleware(async (c, next) => {
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
	await next();
});

/**
 * Stamps every answer with the server's clock (`Dala-Server-Time`), refusals included:
 * a device whose clock is off learns from the very answer that refused it
 * (`stale_request`) what time to sign by.
 */
export function serverTimeHeader(now: () => number) {
	return createMiddleware(async (c, next) => {
		await next();
		c.res.headers.set(Header.serverTime, String(now()));
	});
}

/** Where the public key of a registered device comes from. */
export interface DeviceKeys {
	/** The device's public key, imported, or undefined when no such device is registered. */
	get(deviceId: string): Promise<CryptoKey | undefined>;
}

// Enough for every device that syncs with one server in a busy hour; the oldest go first.
const KEY_CACHE_SIZE = 10_000;

/**
 * Public keys from the `devices` table, with a bounded cache in front. Caching is safe
 * across servers because a device id is the thumbprint of its key: the key for an id can
 * never change, and devices are never deleted. Unknown ids are not cached, so a device
 * registered through another server is found on its first request here. (If devices are
 * ever revoked, this cache must learn about it.)
 */
export function deviceKeys(db: Database, capacity = KEY_CACHE_SIZE): DeviceKeys {
	// Imported keys: importing one costs more than the verification it serves.
	const cache = new Map<string, CryptoKey>();
	return {
		async get(deviceId) {
			const cached = cache.get(deviceId);
			if (cached) return cached;
			const [row] = await db
				.select({ publicKey: devices.publicKey })
				.from(devices)
				.where(eq(devices.id, deviceId))
				.prepare('device_public_key')
				.execute();
			if (!row) return undefined;
			// Registration refuses keys that do not import; one that still fails is as good
			// as no device, and the device's re-registration will be refused with a reason.
			const key = await importDeviceKey(row.publicKey).catch(() => undefined);
			if (!key) return undefined;
			if (cache.size >= capacity) {
				const oldest = cache.keys().next();
				if (!oldest.done) cache.delete(oldest.value);
			}
			cache.set(deviceId, key);
			return key;
		}
	};
}

/** How far a signed `Dala-Time` may be from the server's clock, either way, by default. */
export const DEFAULT_REQUEST_WINDOW_MS = 5 * 60 * 1000;

/**
 * What a signed request is checked against: the devices' keys, the nonces already served
 * (shared by every server, in the database) and the freshness window on this server's
 * clock. Made once per app (`createApp`), like the key cache it holds.
 */
export interface DeviceAuth {
	keys: DeviceKeys;
	/** Records a nonce; false when a request with it was already accepted. */
	claimNonce(deviceId: string, nonce: string, expiresAt: Date): Promise<boolean>;
	/** How far `Dala-Time` may be from `now()`, either way. */
	windowMs: number;
	/** The server's clock, in milliseconds: what `Dala-Server-Time` says. */
	now(): number;
	/**
	 * The requests this app has already verified, each with its device: keyed by the Request
	 * object itself, so an entry lives exactly as long as its request. See `verifiedDevice`.
	 */
	verified: WeakMap<Request, string>;
}

export interface DeviceAuthOptions {
	windowMs?: number;
	now?: () => number;
}

/** Device authentication against `db`, with its own key cache. */
export function deviceAuth(
	db: Database,
	{ windowMs = DEFAULT_REQUEST_WINDOW_MS, now = Date.now }: DeviceAuthOptions = {}
): DeviceAuth {
	return {
		keys: deviceKeys(db),
		claimNonce: (deviceId, nonce, expiresAt) => claimNonce(db, deviceId, nonce, expiresAt),
		windowMs,
		now,
		verified: new WeakMap()
	};
}

/**
 * The path and query of the request exactly as the client sent them: what it signed.
 * Taken from the raw URL rather than re-serialized, so no normalization can make a
 * correct signature fail or two different requests share one.
 */
export function pathAndQuery(url: string): string {
	const start = url.indexOf('/', url.indexOf('://') + 3);
	return start === -1 ? '/' : url.slice(start);
}

export interface DeviceVariables {
	/** The authenticated device: registered, and the signature verified with its key. */
	deviceId: string;
	/** The request body exactly as received (compressed, if it was): what was signed. */
	rawBody: Uint8Array;
}

/**
 * The registered device that signed this request over `signedBody`, now, for the first
 * time; or a 400/401 naming what is wrong. One check for every signed endpoint; they differ
 * only in what stands for the body in the signature. In this order, each step cheaper or
 * more telling than the next: the device (400 `missing_device`, 401 `unknown_device`), the
 * signature over the request, its time and its nonce (401 `bad_signature`), the time
 * within the window (401 `stale_request`), and last the nonce, recorded as seen (401
 * `replayed_request`). So only a request the device really signed, and recently, writes a
 * nonce; and a stale copy is refused without looking for its nonce, which may be pruned.
 *
 * One request claims its nonce once, however many times it is checked. The router may run
 * a route's middleware twice for one request: Hono's TrieRouter, which SmartRouter falls
 * back to for this app's routes, matches a `*` middleware twice when the path's last
 * segment is literally `*` (or `%2A`), honojs/hono#5370; so `GET /api/files/*` checked
 * the signature twice, and the second check found the nonce the first had just recorded
 * and refused the request as its own copy (`replayed_request`, having written a nonce: the
 * fuzzer's seed 1260758067). A copy on the wire is always another Request object, so it
 * still meets the nonce and is refused: replay protection is unchanged.
 */
export async function verifiedDevice(
	auth: DeviceAuth,
	request: Request,
	signedBody: () => Uint8Array | Promise<Uint8Array>
): Promise<string> {
	const already = auth.verified.get(request);
	if (already !== undefined) return already;
	const deviceId = request.headers.get(Header.device) ?? undefined;
	if (!v.is(DeviceId, deviceId)) {
		throw httpError(
			400,
			ErrorCode.missingDevice,
			`The ${Header.device} header must be the device's key thumbprint.`
		);
	}
	const publicKey = await auth.keys.get(deviceId);
	if (!publicKey) {
		throw httpError(
			401,
			ErrorCode.unknownDevice,
			'This device is not registered here: register it, then try again.'
		);
	}
	const badSignature = () =>
		httpError(
			401,
			ErrorCode.badSignature,
			`The ${Header.signature}, ${Header.time} and ${Header.nonce} headers are missing, ` +
				'malformed or do not match this request.'
		);
	const signature = request.headers.get(Header.signature);
	const time = request.headers.get(Header.time) ?? '';
	const nonce = request.headers.get(Header.nonce) ?? '';
	if (!signature || !REQUEST_TIME.test(time) || !REQUEST_NONCE.test(nonce)) throw badSignature();

	const body = await signedBody();
	let verified = false;
	try {
		verified = await verifyRequest(publicKey, signature, {
			method: request.method,
			pathAndQuery: pathAndQuery(request.url),
			body,
			time,
			nonce
		});
	} catch {
		// A signature that is not even well-formed base64url, or a stored key the
		// platform cannot import: either way this request is not signed by the device.
		verified = false;
	}
	if (!verified) throw badSignature();

	const signedAt = Number(time);
	if (Math.abs(auth.now() - signedAt) > auth.windowMs) {
		throw httpError(
			401,
			ErrorCode.staleRequest,
			`${Header.time} is more than ${auth.windowMs / 1000} s from the server's clock ` +
				`(${Header.serverTime}): sign the request again by the server's time.`
		);
	}
	// Kept until a copy would be stale anyway: the signed time plus the window.
	if (!(await auth.claimNonce(deviceId, nonce, new Date(signedAt + auth.windowMs)))) {
		throw httpError(
			401,
			ErrorCode.replayedRequest,
			`A request with this ${Header.nonce} was already accepted: a copy is never served.`
		);
	}
	auth.verified.set(request, deviceId);
	return deviceId;
}

/**
 * Authenticates a sync call: the device must be registered and the request signed with
 * its key over the method, the path with its query, the exact body bytes, a time inside
 * the window and a nonce never seen (`verifiedDevice`). The order matters: device, then
 * signature, then freshness, then anything else, so an unauthenticated request costs at
 * most one indexed read and `bodyLimit` bytes, and is never decompressed or parsed, and a
 * replayed one is refused before it can do anything. Run after `protocolHeader`.
 */
export function authenticateDevice(auth: DeviceAuth, bodyLimit: number) {
	return createMiddleware<{ Variables: DeviceVariables }>(async (c, next) => {
		// Run twice on one request by the router (see `verifiedDevice`): what the first run
		// set stands, the body it read among it, which cannot be read again.
		if ((c.get('rawBody') as Uint8Array | undefined) !== undefined) return next();
		let rawBody: Uint8Array = new Uint8Array();
		const deviceId = await verifiedDevice(auth, c.req.raw, async () => {
			if (c.req.method !== 'GET') rawBody = await readRawBody(c.req.raw, bodyLimit);
			return rawBody;
		});
		c.set('deviceId', deviceId);
		c.set('rawBody', rawBody);
		await next();
	});
}
