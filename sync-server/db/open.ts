import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

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
}

/** Connections per server process unless DATABASE_POOL_SIZE says otherwise. */
export const DEFAULT_POOL_SIZE = 10;

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/**
 * Any fixed number, the same in every server: the session lock that lets one server at a
 * time run migrations when several start together against one PostgreSQL.
 */
const MIGRATION_LOCK = 4_240_917_001;

/** Opens the central database and brings its schema up to date before returning. */
export async function openDatabase(options: OpenOptions = {}): Promise<OpenDatabase> {
	const { url, dataDir = './data', poolSize = DEFAULT_POOL_SIZE } = options;
	if (url && /^postgres(ql)?:\/\//.test(url)) return openPostgres(url, poolSize);
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

// `IF NOT EXISTS` notices from the migrator are expected, not news.
function ignoreNotice(): void {}

async function openPostgres(url: string, poolSize: number): Promise<OpenDatabase> {
	await migrateWithLock(url);
	const client = postgres(url, {
		max: poolSize,
		onnotice: ignoreNotice,
		// Hot statements are prepared once per connection (push.ts). PostgreSQL would
		// otherwise switch a prepared statement to a generic plan after five runs, made
		// with the statistics of that moment: on a young database, plans for tiny tables
		// (scan every row of the device) that stay cached while the tables grow. A custom
		// plan per run costs microseconds and always fits the data.
		connection: { plan_cache_mode: 'force_custom_plan' }
	});
	return {
		db: drizzlePostgres({ client: withReservedTransactions(client) }),
		kind: 'postgres',
		close: () => client.end({ timeout: 5 })
	};
}

/**
 * postgres.js 3.4.9's own `begin` can send BEGIN down a connection other queries are
 * using and then refuse it (UNSAFE_TRANSACTION, porsager/postgres #823 and #1189; no
 * release has the fix): a 500 for about one push in 4,000–10,000 under load, measured by
 * bench:sync. Here a transaction first reserves a connection of the pool for itself, so
 * its BEGIN, its statements and its COMMIT share the connection with nothing else.
 * Drizzle's transactions call `client.begin(fn)`; this is that, done safely.
 */
function withReservedTransactions(client: postgres.Sql): postgres.Sql {
	async function begin<T>(fn: (sql: postgres.ReservedSql) => Promise<T>): Promise<T> {
		const reserved = await client.reserve();
		try {
			await reserved.unsafe('begin');
			let result: T;
			try {
				result = await fn(reserved);
			} catch (error) {
				await reserved.unsafe('rollback');
				throw error;
			}
			await reserved.unsafe('commit');
			return result;
		} finally {
			reserved.release();
		}
	}
	return new Proxy(client, {
		get: (target, key, receiver) => (key === 'begin' ? begin : Reflect.get(target, key, receiver))
	});
}

/**
 * Drizzle's migrator reads the last applied migration and then applies the newer ones,
 * which two servers starting at once would both do. A session-level advisory lock on a
 * dedicated connection makes the second wait and then find nothing left to apply.
 */
async function migrateWithLock(url: string): Promise<void> {
	const client = postgres(url, { max: 1, onnotice: ignoreNotice });
	try {
		const db = drizzlePostgres({ client });
		await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
		try {
			await migratePostgres(db, { migrationsFolder });
		} finally {
			await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK})`);
		}
	} finally {
		await client.end({ timeout: 5 });
	}
}
