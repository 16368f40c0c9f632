import { Hono } from 'hono';
import * as v from 'valibot';
import { ErrorCode } from '../../shared/errors';
import { Uuid7 } from '../../shared/protocol';
import { eq } from 'drizzle-orm';
import { can, type PolicyRecord } from '../accounts/policy';
import { authenticateSession } from '../accounts/sessions';
import type { Catalogue } from '../catalogue/catalogue';
import type { Database } from '../db/open';
import { applications } from '../db/schema';
import { protocolHeader, type DeviceAuth } from '../devices/device-auth';
import { httpError } from '../http/errors';
import { decide, Decision } from './review';
import { revokeDocument, Revocation } from './revoke';
import type { DocumentKeys } from '../documents/signing-keys';
import { readJsonBody } from '../http/request-body';
import type { UploadStore } from '../files/store';
import { workRoutes } from './work-routes';
import { notifyDecision, notifyRevocation } from './notify';
import type { SmsSender } from '../accounts/sms-sender';
import type { Logger } from '../http/log';

// A decision is a status, a version, at most a paragraph of reason or message and a list of
// field names.
const DECISION_BODY_BYTES = 16_384;

/**
 * The office API for staff signed in as themselves (accounts/): a decision goes through the
 * versioned domain rule (review.ts) when the policy allows it: a reviewer decides only in
 * their region. An application the caller may not decide is answered 404, like one that
 * does not exist, so the answer does not tell who may see what.
 */
export function officeRoutes(
	db: Database,
	auth: DeviceAuth,
	catalogue: Catalogue,
	{
		uploads,
		sender,
		log,
		documents
	}: { uploads?: UploadStore; sender: SmsSender; log: Logger; documents: DocumentKeys }
) {
	/** What the policy needs of an application; undefined when there is none. */
	async function policyRecord(id: string): Promise<PolicyRecord | undefined> {
		const [record] = await db
			.select({
				ownerId: applications.ownerId,
				filedBy: applications.filedBy,
				region: applications.region
			})
			.from(applications)
			.where(eq(applications.id, id));
		return record && { kind: 'application', subjectIin: null, ...record };
	}

	return new Hono()
		.use('*', protocolHeader, authenticateSession(db, auth, DECISION_BODY_BYTES))
		.route('/', workRoutes(db, catalogue, uploads))
		.post('/applications/:id/decision', async (c) => {
			const id = c.req.param('id');
			const notFound = () => httpError(404, ErrorCode.notFound, 'No such application.');
			if (!v.is(Uuid7, id)) throw notFound();
			const decision = await readJsonBody(c.req.raw, Decision, 'decision', {
				limit: DECISION_BODY_BYTES,
				raw: c.var.rawBody
			});
			const record = await policyRecord(id);
			if (!record || !can(c.var.actor, 'application.decide', record)) throw notFound();
			const outcome = await decide(
				db,
				id,
				decision,
				{ actor: c.var.actor.accountId, device: c.var.deviceId },
				catalogue,
				documents
			);
			if (outcome.status === 'not_found') throw notFound();
			if (outcome.status === 'invalid') {
				throw httpError(400, ErrorCode.invalidBody, 'The decision is not valid.', outcome.issues);
			}
			if (outcome.status !== 'applied') return c.json(outcome, 409);
			// Not awaited: a slow gateway must not hold the reviewer's answer (notify.ts).
			void notifyDecision(db, sender, log, outcome.application);
			return c.json(outcome, 200);
		})
		.post('/applications/:id/revocation', async (c) => {
			const id = c.req.param('id');
			const notFound = () => httpError(404, ErrorCode.notFound, 'No such application.');
			if (!v.is(Uuid7, id)) throw notFound();
			const revocation = await readJsonBody(c.req.raw, Revocation, 'revocation', {
				limit: DECISION_BODY_BYTES,
				raw: c.var.rawBody
			});
			const record = await policyRecord(id);
			if (!record || !can(c.var.actor, 'document.revoke', record)) throw notFound();
			const outcome = await revokeDocument(db, id, revocation, {
				actor: c.var.actor.accountId,
				device: c.var.deviceId
			});
			switch (outcome.status) {
				case 'not_found':
					throw notFound();
				case 'invalid':
					throw httpError(
						400,
						ErrorCode.invalidBody,
						'The revocation is not valid.',
						outcome.issues
					);
				case 'no_document':
					throw httpError(409, ErrorCode.noDocument, 'No document was issued for it.');
				case 'revoked_already':
					throw httpError(409, ErrorCode.alreadyRevoked, 'Its document is revoked already.');
				case 'conflict':
					return c.json(outcome, 409);
				case 'applied':
					// Not awaited, as a decision's (notify.ts).
					void notifyRevocation(db, sender, log, outcome.application);
					return c.json(outcome, 200);
			}
		});
}
