import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../shared/protocol';
import { adaptersHealth, type AccountsOptions } from '../accounts/adapters';
import type { Database } from '../db/open';
import type { Logger } from './log';

/**
 * For load balancers and the app: is this server up, can it reach its database? It also
 * says whether sign-in runs on development adapters (accounts/adapters.ts).
 */
export function healthRoutes(db: Database, log: Logger, accounts: AccountsOptions) {
	const protocol = { version: PROTOCOL_VERSION, min: MIN_PROTOCOL_VERSION };
	const accountsHealth = adaptersHealth(accounts);
	return new Hono().get('/', async (c) => {
		try {
			await db.execute(sql`select 1`);
		} catch (error) {
			log.warn('health check: database unreachable', { error });
			// 503 takes this server out of a load balancer until its database is back.
			return c.json(
				{ status: 'degraded', database: 'down', protocol, accounts: accountsHealth },
				503
			);
		}
		return c.json({ status: 'ok', database: 'ok', protocol, accounts: accountsHealth });
	});
}
