import { Hono } from 'hono';
import * as v from 'valibot';
import { ErrorCode } from '../../shared/errors';
import { deviceIdOf } from '../../shared/device-signature';
import {
	Header,
	LinkAcceptRequest,
	RegisterRequest,
	type DevicePublicKey,
	type LinkAcceptResponse,
	type LinkOfferResponse,
	type RegisterResponse
} from '../../shared/protocol';
import type { Database } from '../db/open';
import { devices } from '../db/schema';
import { authenticateDevice, protocolHeader, type DeviceAuth } from './device-auth';
import { httpError } from '../http/errors';
import { acceptLink, offerLink, SignedInDevice, TooManyLinkCodes } from './link';
import { readJsonBody } from '../http/request-body';
import { clientAddress, rateLimited, type RequestLimits } from '../http/rate-limit';

// A registration is one small JSON Web Key; nothing honest comes near this.
const REGISTER_BODY_BYTES = 4096;
// `{}` or one short code: nothing honest comes near this.
const LINK_BODY_BYTES = 1024;

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

/** A device making itself known, and linking a second device of the same person (link.ts). */
export function deviceRoutes(db: Database, auth: DeviceAuth, { limits, limiter }: RequestLimits) {
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
			.post('/link/offer', protocolHeader, authenticateDevice(auth, LINK_BODY_BYTES), async (c) => {
				await readJsonBody(c.req.raw, v.object({}), 'link offer', {
					limit: LINK_BODY_BYTES,
					raw: c.var.rawBody
				});
				await limiter.check('linkOffer', c.var.deviceId);
				const offer = await offerLink(db, c.var.deviceId, limits.liveLinkCodes).catch(
					(error: unknown) => {
						if (error instanceof SignedInDevice) throw signedInDevice();
						if (!(error instanceof TooManyLinkCodes)) throw error;
						throw rateLimited(
							error.retryAfterSeconds,
							`At most ${limits.liveLinkCodes} codes may be alive at once: use one, or wait until one expires.`,
							ErrorCode.tooManyLinkCodes
						);
					}
				);
				return c.json({
					code: offer.code,
					expiresAt: offer.expiresAt.toISOString()
				} satisfies LinkOfferResponse);
			})
			.post(
				'/link/accept',
				protocolHeader,
				authenticateDevice(auth, LINK_BODY_BYTES),
				async (c) => {
					const { code } = await readJsonBody(c.req.raw, LinkAcceptRequest, 'link accept', {
						limit: LINK_BODY_BYTES,
						raw: c.var.rawBody
					});
					await limiter.check('linkAccept', c.var.deviceId);
					const outcome = await acceptLink(db, c.var.deviceId, code);
					if (outcome.status === 'invalid_code') {
						throw httpError(
							400,
							ErrorCode.invalidLinkCode,
							'This code is unknown, expired or already used: show a new one on the other device.'
						);
					}
					if (outcome.status === 'busy') {
						throw httpError(
							409,
							ErrorCode.linkBusy,
							'These devices are being linked by another request: try again in a moment.'
						);
					}
					if (outcome.status === 'signed_in') throw signedInDevice();
					return c.json({ devices: outcome.devices } satisfies LinkAcceptResponse);
				}
			)
	);
}

/** 409: a device signed in to an account neither shows nor accepts link codes. */
const signedInDevice = () =>
	httpError(
		409,
		ErrorCode.signedInDevice,
		'A device signed in to an account is not linked by code: sign in on the other device instead.'
	);
