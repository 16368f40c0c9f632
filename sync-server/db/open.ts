import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgTransactionConfig } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { createLogger, type Logger } from '../http/log';
import { connectionFailureOf } from './connection-failure';

/** The database as routes see it: the same query builder on PGlite and on PostgreSQL. */
export type Database = PgDatabase<PgQueryResultHKT>;

/** A transaction of `Database`, as `db.transaction` hands it to its callback. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface OpenDatabase {
	db: Database;
	kind: 'pglite' | 'postgres';
	/** Ends every connection; the process may exit after it resolves. */
	close(): Promise<void>;
}

export interface OpenOptions {
	/** A `postgres://` URL selects PostgreSQL; anything else, embedded PGlite. */
	url?: string;
	/** Where PGlite keeps its files (`<dataDir>/pglite`); `memory://` keeps nothing. */
	dataDir?: string;
	/** The most connections this process opens to PostgreSQL (PGlite has one). */
	poolSize?: number;
	/** Where lost connections are reported; a default logger when not given. */
	log?: Logger;
}

/** Connections per server process unless DATABASE_POOL_SIZE says otherwise. */
export const DEFAULT_POOL_SIZE = 10;

/** How long a request waits for a pooled connection, or for a new one to open. */
const CONNECT_TIMEOUT_MS = 10_000;

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/**
 * Any fixed number, the same in every server: the session lock that lets one server at a
 * time run migrations when several start together against one PostgreSQL.
 */
const MIGRATION_LOCK = 4_240_917_001;

/** Whether `url` selects a PostgreSQL server; anything else means the embedded PGlite. */
export function isPostgresUrl(url: string | undefined): url is string {
	return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

/** Opens the central database and brings its schema up to date before returning. */
export async function openDatabase(options: OpenOptions = {}): Promise<OpenDatabase> {
	const { url, dataDir = './data', poolSize = DEFAULT_POOL_SIZE, log = createLogger() } = options;
	if (isPostgresUrl(url)) return openPostgres(url, poolSize, log);
	return openPglite(dataDir);
}

async function openPglite(dataDir: string): Promise<OpenDatabase> {
	let location = dataDir;
	if (dataDir !== 'memory://') {
		location = join(dataDir, 'pglite');
		mkdirSync(location, { recursive: true });
	}
	const client = await PGlite.create(location);
	try {
		const db = drizzlePglite({ client });
		// One process owns a PGlite directory, so nothing can race this migration.
		await migratePglite(db, { migrationsFolder });
		return { db, kind: 'pglite', close: () => client.close() };
	} catch (error) {
		await client.close();
		throw error;
	}
}

async function openPostgres(url: string, poolSize: number, log: Logger): Promise<OpenDatabase> {
	await migrateWithLock(url, log);
	const pool = new pg.Pool({
		connectionString: url,
		max: poolSize,
		// Waiting longer for a connection than this means the database is gone or swamped:
		// the request is answered 503 and retried rather than left hanging.
		connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
		// A connection whose peer vanished (a failover, a NAT dropping it) is found by TCP
		// keepalive rather than by the next request that waits on it.
		keepAlive: true,
		// Hot statements are prepared once per connection (push.ts). PostgreSQL would
		// otherwise switch a prepared statement to a generic plan after five runs, made
		// with the statistics of that moment: on a young database, plans for tiny tables
		// (scan every row of the device) that stay cached while the tables grow. A custom
		// plan per run costs microseconds and always fits the data.
		options: '-c plan_cache_mode=force_custom_plan'
	});
	// An idle connection that breaks is reported here; the pool has already dropped it.
	pool.on('error', (error) => log.warn('database connection lost while idle', { error }));
	// The pool listens for errors only on the connections it holds, not on one lent out:
	// a backend killed between two statements of a request would then be an unhandled
	// 'error' event, which ends the process. The request's next statement fails instead
	// and is answered 503, and `release(error)` makes the pool drop the connection.
	pool.on('connect', (client) => client.on('error', ignoreLentConnectionError));
	const db: Database = drizzleNodePostgres({ client: pool });
	db.transaction = (fn, config) => transactionOnOwnConnection(pool, fn, config);
	return { db, kind: 'postgres', close: () => pool.end() };
}

// The same failure reaches the statement that was running or the next one sent, which
// is where it is handled and logged; this listener only keeps the event from being fatal.
function ignoreLentConnectionError(): void {}

/** What one transaction runs on: Drizzle over a single connection, made once per connection. */
const onConnection = new WeakMap<pg.PoolClient, Database>();

/**
 * A transaction on a connection it checks out of the pool itself, for itself. Drizzle's
 * own `transaction` on a pool leaks the connection when BEGIN fails (it releases only
 * from a `finally` that BEGIN is outside of), and when ROLLBACK fails on a broken
 * connection it throws that error in place of the one that made it roll back. Here the
 * BEGIN, statements and COMMIT or ROLLBACK go down one connection (Drizzle's transaction
 * on a single client sends exactly those), and the connection always goes back: with the
 * error when it broke, so the pool closes it and opens a fresh one for the next request.
 */
async function transactionOnOwnConnection<T>(
	pool: pg.Pool,
	fn: (tx: Transaction) => Promise<T>,
	config?: PgTransactionConfig
): Promise<T> {
	const client = await pool.connect();
	let single = onConnection.get(client);
	if (!single) {
		single = drizzleNodePostgres({ client });
		onConnection.set(client, single);
	}
	let thrown: { error: unknown } | undefined;
	let broken: Error | undefined;
	try {
		return await single.transaction(async (tx) => {
			try {
				return await fn(tx);
			} catch (error) {
				thrown = { error };
				throw error;
			}
		}, config);
	} catch (error) {
		broken = connectionFailureOf(error);
		// The callback failed and then ROLLBACK did too: the connection is unusable (the
		// server rolls back a transaction whose connection is gone), and what the caller
		// must see is why the callback failed, not why the rollback did.
		if (thrown && error !== thrown.error) {
			broken ??= error instanceof Error ? error : new Error(String(error));
			throw thrown.error;
		}
		throw error;
	} finally {
		client.release(broken);
	}
}

/**
 * Drizzle's migrator reads the last applied migration and then applies the newer ones,
 * which two servers starting at once would both do. A session-level advisory lock on a
 * dedicated connection makes the second wait and then find nothing left to apply.
 */
async function migrateWithLock(url: string, log: Logger): Promise<void> {
	const client = new pg.Client({
		connectionString: url,
		connectionTimeoutMillis: CONNECT_TIMEOUT_MS
	});
	// Without a listener a connection lost mid-migration would end the process unexplained;
	// the migration's own statement fails with the reason instead.
	client.on('error', (error) => log.warn('migration connection lost', { error }));
	await client.connect();
	try {
		const db = drizzleNodePostgres({ client });
		await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
		try {
			await migratePostgres(db, { migrationsFolder });
		} finally {
			await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK})`);
		}
	} finally {
		await client.end();
	}
}
