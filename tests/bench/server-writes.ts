/**
 * A diagnostic between the raw ceiling and the server: what a push does in the database —
 * the device lock, the lookup of mutations seen before, the applications (each its own
 * feed entry and submit record), their receipt in the history, the device's last seq — issued straight from here, one
 * transaction per 100, with the statements sync-server/sync/push.ts sends (jsonb_to_recordset,
 * prepared), into copies of its tables. No HTTP, no signature, no validation. Ingest ÷ this says what the
 * server process costs; this ÷ the raw ceiling says what the promises cost the database.
 */
import postgres from 'postgres';
import { ApplicationStatus } from '../../shared/status';
import type { ApplicationRow } from './postgres-ceiling';
import { medianRun, ROUNDS } from './stats';

export interface ServerWritesResult {
	rows: number;
	seconds: number;
	connections: number;
}

const TABLES = ['devices', 'applications', 'mutations', 'application_history'] as const;
const copy = (table: string) => `bench_raw_${table}`;

// The reference as push.ts makes it: the database's year and the next number.
const REFERENCE = `'DL-' || extract(year from now() at time zone 'UTC')::int || '-' ||
	translate(format('%6s', nextval('application_reference_seq')), ' ', '0')`;

type Sql = postgres.TransactionSql;

/** What the insert returns: the application's state as the server reads it back. */
interface StateRow {
	id: string;
	service_id: string;
	service_version: number;
	status: string;
	reference: string;
	version: number;
	updated_at: Date;
	answers: Record<string, string>;
}

const prepared = { prepare: true } as const;

/**
 * One batch of one device, as applyPush writes it: lock the device, look up ids seen
 * before (in both homes of a record), insert the applications, move the device's last
 * seq. Four statements, each prepared.
 */
async function writeBatch(
	tx: Sql,
	deviceId: string,
	batch: readonly ApplicationRow[],
	seq: number
) {
	const [device] = await tx.unsafe<{ last_seq: number; owner_id: string }[]>(
		`select last_seq, owner_id from ${copy('devices')} where id = $1 for update`,
		[deviceId],
		prepared
	);
	if (!device) throw new Error(`no device ${deviceId}`);
	const ids = batch.map((row) => row.mutation_id);
	await tx.unsafe(
		`select id, result, null::jsonb as created from ${copy('mutations')}
		 where device_id = $1 and id = any(array(select jsonb_array_elements_text($2::jsonb)::uuid))
		 union all
		 select mutation_id, null::jsonb, jsonb_build_object('id', id, 'serviceId', service_id,
		   'serviceVersion', service_version, 'reference', reference, 'answers', answers,
		   'createdAt', created_at)
		 from ${copy('applications')}
		 where device_id = $1 and mutation_id = any(array(select jsonb_array_elements_text($2::jsonb)::uuid))`,
		[deviceId, ids],
		prepared
	);
	const apps = batch.map((row) => ({
		id: row.id,
		mutation_id: row.mutation_id,
		service_id: row.service_id,
		service_version: row.service_version,
		answers: row.answers
	}));
	await tx.unsafe<StateRow[]>(
		`insert into ${copy('applications')} (id, owner_id, device_id, mutation_id, service_id,
		   service_version, answers, status, reference, version, reason, created_at, updated_at,
		   txid, feed_seq)
		 select a.id, $2::text, $1::text, a.mutation_id, a.service_id, a.service_version,
		        a.answers, $4::text, ${REFERENCE}, 1, null, now(), now(),
		        pg_current_xact_id(), nextval('application_feed_seq')
		 from jsonb_to_recordset($3::jsonb)
		      as a(id uuid, mutation_id uuid, service_id text, service_version integer, answers jsonb)
		 on conflict (id) do nothing
		 returning id, service_id, service_version, status, reference, version, reason,
		           updated_at, answers`,
		[deviceId, device.owner_id, apps, ApplicationStatus.received],
		prepared
	);
	// The receipt of each new application in its history (sync/history.ts).
	await tx.unsafe(
		`insert into ${copy('application_history')}
		   (application_id, kind, from_status, to_status, actor, device)
		 select a.id, 'received', null, $2::text, null, $1::text
		 from jsonb_to_recordset($3::jsonb) as a(id uuid)`,
		[deviceId, ApplicationStatus.received, apps.map((a) => ({ id: a.id }))],
		prepared
	);
	await tx.unsafe(
		`update ${copy('devices')} set last_seq = $2 where id = $1`,
		[deviceId, seq + batch.length - 1],
		prepared
	);
}

/**
 * Writes batches as the server would, `connections` transactions at a time, each writer a
 * device of its own (as each HTTP device is); `warmup` first, untimed, then three rounds
 * of `batches()` (new ids each time), the median reported.
 */
export async function serverWrites(
	url: string,
	batches: () => ApplicationRow[][],
	warmup: readonly ApplicationRow[][],
	connections: number
): Promise<ServerWritesResult> {
	const sql = postgres(url, {
		max: connections,
		onnotice: () => {},
		// As the server's connections (db/open.ts): a generic plan made while the tables
		// were small would turn the lookup of known ids into a scan of the device's rows.
		connection: { plan_cache_mode: 'force_custom_plan' }
	});
	try {
		for (const table of TABLES) {
			await sql.unsafe(`drop table if exists ${copy(table)} cascade`);
			await sql.unsafe(`create table ${copy(table)} (like ${table} including all)`);
		}
		const devices = Array.from({ length: connections }, (_, i) => `bench-writer-${i}`);
		for (const id of devices) {
			await sql.unsafe(`insert into ${copy('devices')} (id, public_key) values ($1, '{}')`, [id]);
		}
		const seqs = devices.map(() => 1);
		const run = async (work: readonly ApplicationRow[][]) => {
			let next = 0;
			await Promise.all(
				devices.map(async (deviceId, d) => {
					for (let i = next++; i < work.length; i = next++) {
						const batch = work[i] ?? [];
						const seq = seqs[d] ?? 1;
						seqs[d] = seq + batch.length;
						await sql.begin((tx) => writeBatch(tx, deviceId, batch, seq));
					}
				})
			);
		};
		await run(warmup);
		const runs: ServerWritesResult[] = [];
		for (let round = 0; round < ROUNDS; round++) {
			const work = batches();
			const start = performance.now();
			await run(work);
			const seconds = (performance.now() - start) / 1000;
			const rows = work.reduce((sum, batch) => sum + batch.length, 0);
			runs.push({ rows, seconds, connections });
		}
		return medianRun(runs);
	} finally {
		for (const table of [...TABLES].reverse()) {
			await sql.unsafe(`drop table if exists ${copy(table)} cascade`).catch(() => {});
		}
		await sql.end();
	}
}
