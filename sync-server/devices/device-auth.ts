import { eq } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import * as v from 'valibot';
import { importDeviceKey, verifyRequest } from '../../shared/device-signature';
import { ErrorCode } from '../../shared/errors';
import { DeviceId, Header, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../shared/protocol';
import type { Database } from '../db/open';
import { devices } from '../db/schema';
import { httpError } from '../http/errors';
import { readRawBody } from '../http/request-body';

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
 * The registered device that signed this request over `signedBody`, or a 400/401 naming
 * what is missing. One check for every signed endpoint; they differ only in what stands
 * for the body in the signature.
 */
export async function verifiedDevice(
	keys: DeviceKeys,
	request: Request,
	signedBody: () => Uint8Array | Promise<Uint8Array>
): Promise<string> {
	const deviceId = request.headers.get(Header.device) ?? undefined;
	if (!v.is(DeviceId, deviceId)) {
		throw httpError(
			400,
			ErrorCode.missingDevice,
			`The ${Header.device} header must be the device's key thumbprint.`
		);
	}
	const publicKey = await keys.get(deviceId);
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
			`The ${Header.signature} header is missing or does not match this request.`
		);
	const signature = request.headers.get(Header.signature);
	if (!signature) throw badSignature();

	const body = await signedBody();
	let verified = false;
	try {
		verified = await verifyRequest(
			publicKey,
			signature,
			request.method,
			pathAndQuery(request.url),
			body
		);
	} catch {
		// A signature that is not even well-formed base64url, or a stored key the
		// platform cannot import: either way this request is not signed by the device.
		verified = false;
	}
	if (!verified) throw badSignature();
	return deviceId;
}

/**
 * Authenticates a sync call: the device must be registered and the request signed with
 * its key over the method, the path with its query and the exact body bytes. The order
 * matters: device, then signature, then anything else, so an unauthenticated request
 * costs at most one indexed read and `bodyLimit` bytes, and is never decompressed or
 * parsed. Run after `protocolHeader`.
 */
export function authenticateDevice(keys: DeviceKeys, bodyLimit: number) {
	return createMiddleware<{ Variables: DeviceVariables }>(async (c, next) => {
		let rawBody: Uint8Array = new Uint8Array();
		const deviceId = await verifiedDevice(keys, c.req.raw, async () => {
			if (c.req.method !== 'GET') rawBody = await readRawBody(c.req.raw, bodyLimit);
			return rawBody;
		});
		c.set('deviceId', deviceId);
		c.set('rawBody', rawBody);
		await next();
	});
}
