/**
 * The raw ceiling: the same applications written straight into PostgreSQL as multi-row
 * INSERTs of 100, into a table shaped exactly like the server's `applications` (copied
 * with its indexes, constraints and defaults), with nothing else: no HTTP, no validation,
 * no device lock, no lookup of mutations seen before. What the server does beyond this is
 * its overhead.
 */
import postgres from 'postgres';
import { medianRun, ROUNDS } from './stats';

/** A row as the server stores it in `applications`. */
export interface ApplicationRow {
	id: string;
	owner_id: string;
	device_id: string;
	mutation_id: string;
	service_id: string;
	service_version: number;
	answers: Record<string, string>;
	status: string;
	reference: string;
	version: number;
}

// The change feed's position (txid, feed_seq) is left to the columns' defaults, as in the
// server: it is part of the row, not an extra write.
const COLUMNS = [
	'id',
	'owner_id',
	'device_id',
	'mutation_id',
	'service_id',
	'service_version',
	'answers',
	'status',
	'reference',
	'version'
] as const;

export interface CeilingResult {
	rows: number;
	seconds: number;
	connections: number;
}

/**
 * Inserts `batches` into a fresh copy of `applications` over `connections` connections,
 * each taking the next batch as soon as its previous INSERT returns (each INSERT its own
 * transaction, committed and flushed as the server's are). `warmup` batches go first,
 * untimed; the figure is the median of three timed runs.
 */
export async function postgresCeiling(
	url: string,
	batches: readonly ApplicationRow[][],
	warmup: readonly ApplicationRow[][],
	connections: number
): Promise<CeilingResult> {
	const sql = postgres(url, { max: connections, onnotice: () => {} });
	const table = `bench_raw_applications_${connections}`;
	try {
		await sql.unsafe(`drop table if exists ${table}`);
		await sql.unsafe(`create table ${table} (like applications including all)`);
		// One dedicated connection per writer, as each of the server's pool connections is.
		const writers = await Promise.all(Array.from({ length: connections }, () => sql.reserve()));
		const run = async (work: readonly ApplicationRow[][]) => {
			let next = 0;
			await Promise.all(
				writers.map(async (writer) => {
					for (let i = next++; i < work.length; i = next++) {
						await writer`insert into ${writer(table)} ${writer(work[i] as ApplicationRow[], ...COLUMNS)}`;
					}
				})
			);
		};
		await run(warmup);
		// A run takes a fraction of a second, so one run is noise: take the median of three,
		// each into the emptied table. (Through a writer: with one connection, the pool has
		// none left for anything else.)
		const times: number[] = [];
		for (let round = 0; round < ROUNDS; round++) {
			await writers[0]?.unsafe(`truncate ${table}`);
			const start = performance.now();
			await run(batches);
			times.push((performance.now() - start) / 1000);
		}
		const { seconds } = medianRun(times.map((t) => ({ seconds: t })));
		for (const writer of writers) writer.release();
		const rows = batches.reduce((sum, batch) => sum + batch.length, 0);
		return { rows, seconds, connections };
	} finally {
		await sql.unsafe(`drop table if exists ${table}`).catch(() => {});
		await sql.end();
	}
}
