/**
 * The databases every server suite runs against: PGlite in memory always, and a real
 * PostgreSQL when there is one (TEST_DATABASE_URL, else the local one: postgres-setup.ts).
 * Drizzle code must behave the same on both.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../sync-server/db/open';
import { createLogger } from '../../sync-server/http/log';

// Suites kill connections and drop databases under open pools on purpose: no log noise.
const log = createLogger({ level: 'silent' });

export interface TestDatabase {
	db: Database;
	kind: 'pglite' | 'postgres';
	/** The PostgreSQL URL of this suite's own database, for tests that need more connections. */
	url?: string;
	close(): Promise<void>;
}

export interface Backend {
	name: string;
	kind: 'pglite' | 'postgres';
	/** A fresh, migrated, empty database; `close()` throws it away. */
	open(): Promise<TestDatabase>;
}

const pglite: Backend = {
	name: 'PGlite',
	kind: 'pglite',
	async open() {
		const opened = await openDatabase({ dataDir: 'memory://' });
		return { db: opened.db, kind: 'pglite', close: opened.close };
	}
};

function postgresBackend(adminUrl: string): Backend {
	return {
		name: 'PostgreSQL',
		kind: 'postgres',
		async open() {
			// A database of its own per suite: suites run in parallel and never see each other.
			const name = `dala_test_${randomUUID().replaceAll('-', '')}`;
			const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
			await admin.unsafe(`create database "${name}"`);
			const url = new URL(adminUrl);
			url.pathname = `/${name}`;
			try {
				const opened = await openDatabase({ url: url.toString(), log });
				return {
					db: opened.db,
					kind: 'postgres',
					url: url.toString(),
					async close() {
						await opened.close();
						await admin.unsafe(`drop database if exists "${name}" with (force)`);
						await admin.end();
					}
				};
			} catch (error) {
				await admin.unsafe(`drop database if exists "${name}" with (force)`);
				await admin.end();
				throw error;
			}
		}
	};
}

const postgresUrl = inject('postgresUrl');

/** Pass to `describe.each(backends)('$name', …)`. */
export const backends: Backend[] = postgresUrl ? [pglite, postgresBackend(postgresUrl)] : [pglite];
