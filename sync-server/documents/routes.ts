import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { etag } from 'hono/etag';
import * as v from 'valibot';
import { ErrorCode } from '../../shared/errors';
import { DocumentCheckQuery, type DocumentCheck } from '../../shared/documents/check';
import type { RevocationListBody } from '../../shared/documents/limits';
import type { TrustList } from '../../shared/documents/trust';
import type { Database } from '../db/open';
import { applications, documents } from '../db/schema';
import { httpError, issuesOf } from '../http/errors';
import { clientAddress, type RequestLimits } from '../http/rate-limit';
import type { RevocationLists } from './revocation-list';
import type { DocumentKeys } from './signing-keys';

/**
 * Public, for anyone who checks a document:
 * - `GET /api/documents/keys`: the trust list. The app keeps the last one it fetched and
 *   checks with it offline.
 * - `GET /api/documents/revoked`: the signed revocation list, `{ "list": "…" }`, which the
 *   app keeps beside the trust list and refreshes with every sync.
 * - `GET /api/documents/check?number=DLD-0000042&iin=…`: whether the register holds that
 *   document, found only by its number and the IIN printed beside it together, so a
 *   number alone says nothing of whose it is; limited per address.
 */
/**
 * Every sync asks for both lists, and each is almost always what the phone has: an ETag
 * (weak, since the compress middleware recodes the body) lets it answer 304 with no body.
 */
const revalidated = etag({ weak: true });

export function documentRoutes(
	db: Database,
	keys: DocumentKeys,
	revocations: RevocationLists,
	{ limits, limiter }: RequestLimits
) {
	return new Hono()
		.get('/keys', revalidated, async (c) => {
			const list: TrustList = await keys.trustList();
			// Revalidated on every use: a key marked compromised must reach checkers at once.
			c.header('Cache-Control', 'no-cache');
			return c.json(list);
		})
		.get('/revoked', revalidated, async (c) => {
			const { text } = await revocations.current();
			// Like the trust list: a revocation must reach checkers with their next fetch.
			c.header('Cache-Control', 'no-cache');
			return c.json({ list: text } satisfies RevocationListBody);
		})
		.get('/check', async (c) => {
			await limiter.check('documentCheck', clientAddress(c, limits.trustedProxies));
			const query = v.safeParse(DocumentCheckQuery, c.req.query());
			if (!query.success) {
				throw httpError(
					400,
					ErrorCode.invalidQuery,
					'Give the document number (DLD-…) and the IIN printed beside it.',
					issuesOf(query.issues)
				);
			}
			const [found] = await db
				.select({
					serial: documents.serial,
					issuedAt: documents.issuedAt,
					serviceId: applications.serviceId,
					revokedAt: applications.documentRevokedAt
				})
				.from(documents)
				.innerJoin(applications, eq(applications.id, documents.applicationId))
				.where(
					and(eq(documents.serial, query.output.serial), eq(documents.checkIin, query.output.iin))
				);
			c.header('Cache-Control', 'no-store');
			if (!found) {
				throw httpError(404, ErrorCode.notFound, 'No document has this number and IIN.');
			}
			return c.json({
				status: found.revokedAt ? 'revoked' : 'issued',
				serial: found.serial,
				serviceId: found.serviceId,
				issuedAt: found.issuedAt.toISOString(),
				...(found.revokedAt ? { revokedAt: found.revokedAt.toISOString() } : {})
			} satisfies DocumentCheck);
		});
}
