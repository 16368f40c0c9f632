/**
 * Everything a request could have written, as digests to compare before and after it:
 * every table of the schema, whole (so a table added later is covered without a word
 * here), and the upload store's directory. A refused request must leave all of it as it
 * was: no row, no update of a counter or a feed position, no stray upload.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database } from '../../../sync-server/db/open';

export interface Snapshot {
	/** Table name → md5 of its rows as text, in a fixed order. */
	tables: Record<string, string>;
	/** The upload store's entries, with their sizes. */
	uploads: string[];
}

const tableNames = async (db: Database) =>
	(
		await db
			.select({ name: sql<string>`table_name::text` })
			.from(sql`information_schema.tables`)
			.where(sql`table_schema = 'public' and table_type = 'BASE TABLE'`)
	)
		.map((row) => row.name)
		.sort();

/** The state of `db` (every public table) and of the upload directory, if there is one. */
export async function snapshot(db: Database, uploadDir?: string): Promise<Snapshot> {
	const names = await tableNames(db);
	const digests = sql.join(
		names.map(
			(name) =>
				sql`select ${name}::text as name, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${sql.identifier(name)} t`
		),
		sql` union all `
	);
	const rows = await db
		.select({ name: sql<string>`name`, digest: sql<string>`digest` })
		.from(sql`(${digests}) as digests`);
	return {
		tables: Object.fromEntries(rows.map((row) => [row.name, row.digest])),
		uploads: uploadDir ? await uploadEntries(uploadDir) : []
	};
}

async function uploadEntries(dir: string): Promise<string[]> {
	const names = await readdir(dir).catch(() => [] as string[]);
	const entries = await Promise.all(
		names.map(async (name) => {
			const size = await stat(join(dir, name)).then(
				(s) => s.size,
				() => -1
			);
			return `${name}:${size}`;
		})
	);
	return entries.sort();
}

/** The tables (and "uploads") whose digest differs between two snapshots. */
export function changed(before: Snapshot, after: Snapshot): string[] {
	const names = new Set([...Object.keys(before.tables), ...Object.keys(after.tables)]);
	const tables = [...names].filter((name) => before.tables[name] !== after.tables[name]);
	const uploads = before.uploads.join('\n') === after.uploads.join('\n') ? [] : ['uploads'];
	return [...tables, ...uploads].sort();
}

/**
 * What one owner holds (applications, files, devices) as one digest: what a request that
 * names another owner's record and is withheld must leave as it was.
 */
export async function ownerDigest(db: Database, ownerId: string): Promise<string> {
	const part = (table: string) =>
		sql`(select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from ${sql.identifier(table)} t where t.owner_id = ${ownerId})`;
	const [row] = await db
		.select({
			digest: sql<string>`${part('applications')} || ${part('files')} || ${part('devices')}`
		})
		.from(sql`(values (1)) as one`);
	return row!.digest;
}

/**
 * What the server keeps about requests rather than for anyone: the nonces it has seen,
 * rate-limit counters and sign-in attempt counters, and when each device last spoke to it
 * (by the hour); and the first document signing key, which a server makes when it first
 * needs one (main.ts makes it at start; a test app, at the first approval it is asked for,
 * before it knows whether the approval stands). A request that got past the signature
 * check may move them even when it is then refused (a refused guess must still count);
 * one refused at the door (no device, unknown device, bad signature) moves nothing.
 */
export const BOOKKEEPING = ['device_sightings', 'rate_limits', 'request_nonces', 'document_keys'];

/** `written` without the bookkeeping tables. */
export const withoutBookkeeping = (written: string[]) =>
	written.filter((name) => !BOOKKEEPING.includes(name));

/**
 * The refusals that come before the signature is accepted (or without looking at it):
 * after them nothing at all,
 * bookkeeping included, may have changed.
 */
export const DOOR_CODES = new Set([
	'unsupported_protocol',
	'missing_device',
	'unknown_device',
	'bad_signature',
	'stale_request',
	'replayed_request',
	'unauthorized',
	// The retired link routes answer before looking at anything.
	'link_retired'
]);

/**
 * Refusals that are themselves recorded in the audit log (docs/accounts.md): a failed
 * sign-in and a code refused for an unregistered phone.
 */
export const AUDITED_REFUSALS = new Set(['sign_in_failed', 'phone_not_registered']);

/**
 * Everything a refusal may write besides bookkeeping, for a caller that cannot know which
 * case it hit (the fuzzer): the audited refusals; a wrong code, which counts a try and is
 * audited; and an expired code, audited when it was this device's own spent challenge
 * (another device's or a made-up one writes nothing: the matrix checks that case exactly).
 */
export const REFUSAL_WRITES: Record<string, readonly string[]> = {
	...Object.fromEntries([...AUDITED_REFUSALS].map((code) => [code, ['audit_log']])),
	wrong_code: ['audit_log', 'sign_in_codes'],
	code_expired: ['audit_log']
};
