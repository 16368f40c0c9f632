/**
 * A database of the benchmark's own on the local PostgreSQL, dropped afterwards, so a run
 * starts from empty tables and leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';

export interface ScratchDatabase {
	url: string;
	name: string;
	/** Drops the database, closing whatever is still connected to it. */
	drop(): Promise<void>;
}

export async function createScratchDatabase(adminUrl: string): Promise<ScratchDatabase> {
	const name = `dala_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	await admin.unsafe(`create database "${name}"`);
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		name,
		async drop() {
			await admin.unsafe(`drop database if exists "${name}" with (force)`);
			await admin.end();
		}
	};
}

/** `server_version` of the PostgreSQL at `url`, e.g. "15.20 (Debian 15.20-0+deb12u1)". */
export async function postgresVersion(url: string): Promise<string> {
	const sql = postgres(url, { max: 1 });
	try {
		const [row] = await sql<{ server_version: string }[]>`show server_version`;
		return row?.server_version ?? 'unknown';
	} finally {
		await sql.end();
	}
}
