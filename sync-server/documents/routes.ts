import { Hono } from 'hono';
import type { TrustList } from '../../shared/documents/trust';
import type { DocumentKeys } from './signing-keys';

/**
 * `GET /api/documents/keys`: the trust list, public, for anyone who checks a document. The
 * app keeps the last one it fetched and checks with it offline.
 */
export function documentRoutes(documents: DocumentKeys) {
	return new Hono().get('/keys', async (c) => {
		const list: TrustList = await documents.trustList();
		// Revalidated on every use: a key marked compromised must reach checkers at once.
		c.header('Cache-Control', 'no-cache');
		return c.json(list);
	});
}
