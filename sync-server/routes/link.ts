import { Hono } from 'hono';
import * as v from 'valibot';
import { ErrorCode } from '../../shared/errors';
import {
	LinkAcceptRequest,
	type LinkAcceptResponse,
	type LinkOfferResponse
} from '../../shared/protocol';
import type { Database } from '../db/open';
import { authenticateDevice, protocolHeader, type DeviceKeys } from '../device-auth';
import { httpError } from '../http-error';
import { acceptLink, offerLink } from '../link';
import { decodeBody, parseBody, parseJson } from '../request-body';

// `{}` or one short code: nothing honest comes near this.
const LINK_BODY_BYTES = 1024;

/** Linking a second device of the same person (see link.ts and the protocol). */
export function linkRoutes(db: Database, keys: DeviceKeys) {
	return new Hono()
		.post('/offer', protocolHeader, authenticateDevice(keys, LINK_BODY_BYTES), async (c) => {
			const body = await decodeBody(
				c.var.rawBody,
				c.req.header('Content-Encoding'),
				LINK_BODY_BYTES
			);
			parseBody(v.object({}), parseJson(body), 'link offer');
			const offer = await offerLink(db, c.var.deviceId);
			return c.json({
				code: offer.code,
				expiresAt: offer.expiresAt.toISOString()
			} satisfies LinkOfferResponse);
		})
		.post('/accept', protocolHeader, authenticateDevice(keys, LINK_BODY_BYTES), async (c) => {
			const body = await decodeBody(
				c.var.rawBody,
				c.req.header('Content-Encoding'),
				LINK_BODY_BYTES
			);
			const { code } = parseBody(LinkAcceptRequest, parseJson(body), 'link accept');
			const outcome = await acceptLink(db, c.var.deviceId, code);
			if (outcome.status === 'invalid_code') {
				throw httpError(
					400,
					ErrorCode.invalidLinkCode,
					'This code is unknown, expired or already used: show a new one on the other device.'
				);
			}
			return c.json({ devices: outcome.devices } satisfies LinkAcceptResponse);
		});
}
