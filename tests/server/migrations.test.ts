/**
 * The migrations that move data, run on a database in use. Migration 0002 moves the change
 * feed and the submit records onto the application rows: every application must come
 * through it, and every device must still get the original answer when it resends a
 * mutation whose answer it lost. Migration 0008 gives the applications received before
 * regions their region, read from their answers as the server now reads it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { afterAll, describe, expect, inject, it } from 'vitest';
import { REGION_CODES } from '../../shared/services/region';
import { createScratchDatabase } from '../support/scratch-database';

const migrations = fileURLToPath(new URL('../../sync-server/drizzle', import.meta.url));

/** The migrations folder as it stood before migration `tag`. */
function folderBefore(tag: string): string {
	const dir = mkdtempSync(join(tmpdir(), 'dala-migrations-'));
	cpSync(migrations, dir, { recursive: true });
	const journalPath = join(dir, 'meta', '_journal.json');
	const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
	const index = journal.entries.findIndex((e: { tag: string }) => e.tag === tag);
	journal.entries = journal.entries.slice(0, index);
	writeFileSync(journalPath, JSON.stringify(journal));
	return dir;
}

type Db = PgDatabase<PgQueryResultHKT>;

/** The rows of a query: PGlite hands back `{ rows }`, postgres.js the rows themselves. */
async function rowsOf<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
	const result: unknown = await db.execute(query);
	return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
interface Opened {
	db: Db;
	migrate(folder: string): Promise<void>;
	close(): Promise<void>;
}

const engines: { name: string; open(): Promise<Opened> }[] = [
	{
		name: 'PGlite',
		async open() {
			const client = await PGlite.create('memory://');
			const db = drizzlePglite({ client });
			return {
				db,
				migrate: (folder) => migratePglite(db, { migrationsFolder: folder }),
				close: () => client.close()
			};
		}
	}
];
const testDatabaseUrl = inject('postgresUrl');
if (testDatabaseUrl) {
	engines.push({
		name: 'PostgreSQL',
		async open() {
			const scratch = await createScratchDatabase(
				testDatabaseUrl,
				`dala_migration_${crypto.randomUUID().replaceAll('-', '')}`
			);
			const client = postgres(scratch.url, { max: 1, onnotice: () => {} });
			const db = drizzlePostgres({ client });
			return {
				db,
				migrate: (folder) => migratePostgres(db, { migrationsFolder: folder }),
				async close() {
					await client.end();
					await scratch.drop();
				}
			};
		}
	});
}

const device = 'Zk4l9oVbU9FbE1qf5r6l2u5cX8m0oY8nT3pJzP1qA2c';
const legacyDevice = '0190f1c8-0000-7000-8000-00000000d0d0';
const app1 = '0190f1c8-0000-7000-8000-000000000001';
const app2 = '0190f1c8-0000-7000-8000-000000000002';
const legacyApp = '0190f1c8-0000-7000-8000-000000000003';
const submit1 = '0190f1c8-0000-7000-8000-0000000000a1';
const submit2 = '0190f1c8-0000-7000-8000-0000000000a2';
const amend1 = '0190f1c8-0000-7000-8000-0000000000b1';
const refused = '0190f1c8-0000-7000-8000-0000000000c1';
const legacySubmit = '0190f1c8-0000-7000-8000-0000000000d1';

describe.each(engines)('migration 0002 on $name', (engine) => {
	const cleanup: (() => Promise<void> | void)[] = [];
	afterAll(async () => {
		for (const step of cleanup.reverse()) await step();
	});

	it('keeps every application, finds its submit, and keeps the other records', async () => {
		const opened = await engine.open();
		cleanup.push(() => opened.close());
		const before = folderBefore('0002_owners_and_lean_feed');
		cleanup.push(() => rmSync(before, { recursive: true, force: true }));
		await opened.migrate(before);
		const { db } = opened;
		const state = (id: string) => ({ id, status: 'received', version: 1 });
		await db.execute(sql`insert into devices (id, public_key, last_seq)
			values (${device}, '{"kty":"EC"}', 4)`);
		await db.execute(sql`insert into applications
			(id, device_id, service_id, service_version, answers, status, reference, version)
			values
			(${app1}, ${device}, 'individual-entrepreneur', 1, '{"a":"2"}', 'received', 'DL-2026-000001', 2),
			(${app2}, ${device}, 'individual-entrepreneur', 1, '{"a":"1"}', 'approved', 'DL-2026-000002', 2),
			(${legacyApp}, ${legacyDevice}, 'individual-entrepreneur', 1, '{}', 'received', 'DL-2026-000003', 1)`);
		await db.execute(sql`insert into mutations (device_id, id, seq, application_id, result) values
			(${device}, ${submit1}, 1, ${app1}, ${JSON.stringify({ mutationId: submit1, status: 'applied', application: state(app1) })}),
			(${device}, ${submit2}, 2, ${app2}, ${JSON.stringify({ mutationId: submit2, status: 'applied', application: state(app2) })}),
			(${device}, ${amend1}, 3, ${app1}, ${JSON.stringify({ mutationId: amend1, status: 'applied', application: { ...state(app1), version: 2 } })}),
			(${device}, ${refused}, 4, ${app1}, ${JSON.stringify({ mutationId: refused, status: 'rejected', code: 'invalid_answers' })}),
			(${legacyDevice}, ${legacySubmit}, 1, ${legacyApp}, ${JSON.stringify({ mutationId: legacySubmit, status: 'applied', application: state(legacyApp) })})`);
		await db.execute(sql`insert into changes (application_id, device_id) values
			(${app1}, ${device}), (${app2}, ${device}), (${app1}, ${device}), (${app2}, ${device}),
			(${legacyApp}, ${legacyDevice})`);

		await opened.migrate(migrations);

		const rows = await rowsOf<{
			id: string;
			owner_id: string;
			mutation_id: string;
			version: number;
			status: string;
		}>(db, sql`select id, owner_id, mutation_id, version, status from applications order by id`);
		const [owner] = await rowsOf<{ owner_id: string }>(
			db,
			sql`select owner_id from devices where id = ${device}`
		);
		expect(rows).toEqual([
			{ id: app1, owner_id: owner!.owner_id, mutation_id: submit1, version: 2, status: 'received' },
			{ id: app2, owner_id: owner!.owner_id, mutation_id: submit2, version: 2, status: 'approved' },
			{
				id: legacyApp,
				owner_id: legacyDevice,
				mutation_id: legacySubmit,
				version: 1,
				status: 'received'
			}
		]);
		const kept = await rowsOf<{ id: string }>(db, sql`select id from mutations order by seq`);
		expect(kept.map((r) => r.id)).toEqual([amend1, refused]);
		const feed = await rowsOf<{ n: number }>(
			db,
			sql`select count(distinct feed_seq)::int as n from applications`
		);
		expect(feed[0]?.n).toBe(3);
		const tables = await rowsOf<{ n: number }>(
			db,
			sql`select count(*)::int as n from information_schema.tables where table_name = 'changes'`
		);
		expect(tables[0]?.n).toBe(0);
	});
});

describe.each(engines)('migration 0008 on $name', (engine) => {
	const cleanup: (() => Promise<void> | void)[] = [];
	afterAll(async () => {
		for (const step of cleanup.reverse()) await step();
	});

	it("sets the region each service's answer names, only to a REGIONS code", async () => {
		const opened = await engine.open();
		cleanup.push(() => opened.close());
		const before = folderBefore('0008_application_regions');
		cleanup.push(() => rmSync(before, { recursive: true, force: true }));
		await opened.migrate(before);
		const { db } = opened;
		// id, service, version, answers, region already stored.
		const rows: [string, string, number, Record<string, string>, string | null][] = [
			['permit', 'trade-outlet-permit', 1, { 'siteAddress.region': 'almaty' }, null],
			['birth', 'birth-registration', 1, { 'birthPlace.region': 'turkistan' }, null],
			['ie-v2', 'individual-entrepreneur', 2, { 'businessAddress.region': 'astana' }, null],
			['ie-v1', 'individual-entrepreneur', 1, { address: 'Almaty region, Talgar' }, null],
			['tax', 'simplified-tax-declaration', 1, { year: '2026' }, null],
			['not-a-code', 'trade-outlet-permit', 1, { 'siteAddress.region': 'atlantis' }, null],
			['other-service', 'kindergarten-place', 1, { 'birthPlace.region': 'almaty' }, null],
			['already-set', 'birth-registration', 1, { 'birthPlace.region': 'turkistan' }, 'abai']
		];
		const ids = new Map(rows.map(([name], i) => [name, `0190f1c8-0000-7000-8000-0000000008${i}0`]));
		for (const [i, [name, service, version, answers, region]] of rows.entries()) {
			await db.execute(sql`insert into applications (id, owner_id, device_id, mutation_id,
				service_id, service_version, answers, status, reference, region)
				values (${ids.get(name)}, 'owner', ${device}, ${ids.get(name)}, ${service}, ${version},
				${JSON.stringify(answers)}::jsonb, 'received', ${`DL-2026-00080${i}`}, ${region})`);
		}

		await opened.migrate(migrations);

		const stored = await rowsOf<{ id: string; region: string | null }>(
			db,
			sql`select id, region from applications`
		);
		const regions = Object.fromEntries(
			rows.map(([name]) => [name, stored.find((r) => r.id === ids.get(name))?.region])
		);
		expect(regions).toEqual({
			permit: 'almaty',
			birth: 'turkistan',
			'ie-v2': 'astana',
			'ie-v1': null,
			tax: null,
			'not-a-code': null,
			'other-service': null,
			'already-set': 'abai'
		});
	});

	it('lists every REGIONS code, as regionOf knows them', () => {
		// The migration is SQL and cannot import the list: this keeps the two equal.
		const text = readFileSync(join(migrations, '0008_application_regions.sql'), 'utf8');
		const listed = /IN \(([^)]*)\)/.exec(text)?.[1]?.match(/'[^']+'/g);
		expect(listed?.map((code) => code.slice(1, -1))).toEqual(REGION_CODES);
	});
});
