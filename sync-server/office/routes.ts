import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import * as v from 'valibot';
import { ErrorCode } from '../../shared/errors';
import { Uuid7 } from '../../shared/protocol';
import { eq } from 'drizzle-orm';
import { can } from '../accounts/policy';
import { authenticateSession } from '../accounts/sessions';
import type { Database } from '../db/open';
import { applications } from '../db/schema';
import { protocolHeader, type DeviceAuth } from '../devices/device-auth';
import { httpError, ReviewErrorCode } from '../http/errors';
import { decide, Decision } from './review';
import { readJsonBody } from '../http/request-body';

// A decision is a status, a version and at most a paragraph of reason.
const DECISION_BODY_BYTES = 16_384;

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The back-office API, mounted only when a review token is configured. One shared bearer
 * token until reviewers sign in as themselves; every decision still goes through the
 * same versioned domain rule (review.ts) as it would then.
 */
export function reviewRoutes(db: Database, token: string) {
	const expected = digest(token);
	const authorize = createMiddleware(async (c, next) => {
		const match = /^Bearer (\S+)$/i.exec(c.req.header('Authorization') ?? '');
		// Digests of equal length, compared in constant time: neither the token's length
		// nor how much of it a guess got right shows in the time taken to refuse it.
		if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
			const error = httpError(401, ReviewErrorCode.unauthorized, 'A valid review token is needed.');
			error.res?.headers.set('WWW-Authenticate', 'Bearer');
			throw error;
		}
		await next();
	});

	return new Hono().use('*', authorize).post('/applications/:id/decision', async (c) => {
		const id = c.req.param('id');
		const notFound = () => httpError(404, ErrorCode.notFound, 'No such application.');
		// Ids are UUIDv7; anything else names no application (and must not reach a uuid cast).
		if (!v.is(Uuid7, id)) throw notFound();

		const decision = await readJsonBody(c.req.raw, Decision, 'decision', {
			limit: DECISION_BODY_BYTES
		});
		const outcome = await decide(db, id, decision);
		if (outcome.status === 'not_found') throw notFound();
		if (outcome.status === 'invalid') {
			throw httpError(400, ErrorCode.invalidBody, 'The decision is not valid.', outcome.issues);
		}
		// 409 with the state as it is now, so the reviewer sees what changed and decides again.
		return c.json(outcome, outcome.status === 'applied' ? 200 : 409);
	});
}

/**
 * The office API for staff signed in as themselves (accounts/): the same decision as the
 * review token's, allowed by the policy: a reviewer decides only in their region. An
 * application the caller may not decide is answered 404, like one that does not exist.
 */
export function officeRoutes(db: Database, auth: DeviceAuth) {
	return new Hono()
		.use('*', protocolHeader, authenticateSession(db, auth, DECISION_BODY_BYTES))
		.post('/applications/:id/decision', async (c) => {
			const id = c.req.param('id');
			const notFound = () => httpError(404, ErrorCode.notFound, 'No such application.');
			if (!v.is(Uuid7, id)) throw notFound();
			const decision = await readJsonBody(c.req.raw, Decision, 'decision', {
				limit: DECISION_BODY_BYTES,
				raw: c.var.rawBody
			});
			const [record] = await db
				.select({
					ownerId: applications.ownerId,
					filedBy: applications.filedBy,
					region: applications.region
				})
				.from(applications)
				.where(eq(applications.id, id));
			const allowed =
				record &&
				can(c.var.actor, 'application.decide', {
					kind: 'application',
					subjectIin: null,
					...record
				});
			if (!allowed) throw notFound();
			const outcome = await decide(db, id, decision, {
				actor: c.var.actor.accountId,
				device: c.var.deviceId
			});
			if (outcome.status === 'not_found') throw notFound();
			if (outcome.status === 'invalid') {
				throw httpError(400, ErrorCode.invalidBody, 'The decision is not valid.', outcome.issues);
			}
			return c.json(outcome, outcome.status === 'applied' ? 200 : 409);
		});
}
