import { Hono } from 'hono';
import { ErrorCode } from '../../shared/errors';
import { deviceIdOf } from '../../shared/device-signature';
import {
	Header,
	RegisterRequest,
	type DevicePublicKey,
	type RegisterResponse
} from '../../shared/protocol';
import type { Database } from '../db/open';
import { devices } from '../db/schema';
import { protocolHeader } from './device-auth';
import { httpError } from '../http/errors';
import { readJsonBody } from '../http/request-body';
import { clientAddress, type RequestLimits } from '../http/rate-limit';

// A registration is one small JSON Web Key; nothing honest comes near this.
const REGISTER_BODY_BYTES = 4096;

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

/** A device making itself known; the retired link-by-code routes. */
export function deviceRoutes(db: Database, { limits, limiter }: RequestLimits) {
	return (
		new Hono()
			/**
			 * Makes a device known by its public key. Idempotent: the id is the key's
			 * thumbprint, so registering the same key again finds the same row. Unsigned by
			 * design: proving the key needs the key, and every later request proves it.
			 */
			.post('/register', protocolHeader, async (c) => {
				// Per address, before any work: registering is the one unsigned write.
				await limiter.check('register', clientAddress(c, limits.trustedProxies));
				const { publicKey } = await readJsonBody(c.req.raw, RegisterRequest, 'register', {
					limit: REGISTER_BODY_BYTES
				});
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
			.post('/link/offer', linkRetired)
			.post('/link/accept', linkRetired)
	);
}

/**
 * Linking a second device by code is retired: the person signs in there, and both devices
 * show the same applications. An app from before still gets an answer it can show, and
 * the server does nothing else for it.
 */
function linkRetired(): never {
	throw httpError(
		410,
		ErrorCode.linkRetired,
		'Devices are no longer linked by code: sign in on the other device with the same IIN and phone.'
	);
}
