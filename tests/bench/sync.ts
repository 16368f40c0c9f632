/**
 * `npm run bench:sync`: how fast and how lean the sync server is, on the real PostgreSQL,
 * beside what the same documents cost written raw into PostgreSQL and replicated with
 * PouchDB, all in one run on this machine. Prints every figure, writes them with the
 * machine into docs/benchmarks.md, and ends with one summary line.
 *
 * Environment: BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test; a scratch
 * database is made there and dropped), BENCH_DOCUMENTS (20000), DATABASE_POOL_SIZE (10),
 * BENCH_LOAD_SECONDS (30), BENCH_NO_WRITE=1 to leave docs/benchmarks.md alone.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { catchUp } from './catch-up';
import { applicationRows, corpus, pouchDocuments } from './corpus';
import { application, leftToPerson } from './documents';
import postgres from 'postgres';
import { BATCH, ingest, type Census } from './ingest';
import { underLoad } from './load';
import { describeMachine } from './machine';
import { postgresCeiling } from './postgres-ceiling';
import { startPouch, type PouchResult } from './pouchdb-replication';
import { ROOT, startSyncServer } from './processes';
import { markdown, writeResults } from './report';
import { figures, summaryLine, type Measurements } from './results';
import { createScratchDatabase } from '../support/scratch-database';
import { postgresVersion } from './scratch-database';
import { medianRun, ROUNDS } from './stats';
import { serverWrites } from './server-writes';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 20_000);
const POOL = Number(process.env.DATABASE_POOL_SIZE ?? 10);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 30);
const WARMUP = 1_000;
const CATCH_UP = Math.min(10_000, DOCUMENTS);
const LOAD_DEVICES = 200;
const LOAD_BATCH = 10;

const step = (text: string) => console.log(`… ${text}`);

/** What the server's database holds: applications, those a rule approved, documents. */
function censusOf(url: string): { count: () => Promise<Census>; end: () => Promise<void> } {
	const sql = postgres(url, { max: 1, onnotice: () => {} });
	return {
		count: async () => {
			const [row] = await sql<{ applications: string; approved: string; documents: string }[]>`
				select (select count(*) from applications) as applications,
					(select count(*) from applications where status = 'approved') as approved,
					(select count(*) from documents) as documents`;
			return {
				applications: Number(row!.applications),
				approved: Number(row!.approved),
				documents: Number(row!.documents)
			};
		},
		end: () => sql.end({ timeout: 1 })
	};
}

async function main(): Promise<void> {
	const began = performance.now();
	const machine = describeMachine(await postgresVersion(ADMIN_URL), ROOT);
	const database = await createScratchDatabase(
		ADMIN_URL,
		`dala_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`
	);
	step(`scratch database ${database.name}; starting the sync server (pool ${POOL})`);
	const server = await startSyncServer(database.url, POOL);
	const census = censusOf(database.url);
	try {
		const docs = corpus(0, DOCUMENTS);
		const warm = corpus(DOCUMENTS, WARMUP);

		// Raw ceiling and HTTP ingest alternate, so a drift of the machine touches both alike.
		step('raw INSERT, 1 connection');
		const ceilingOne = await postgresCeiling(
			database.url,
			applicationRows(docs.applications, BATCH, 1),
			applicationRows(warm.applications, BATCH, 1),
			1
		);
		step('HTTP ingest, 1 device');
		const ingestOne = await ingest(server, docs.applications, warm.applications, 1, census.count);
		step(`raw INSERT, ${POOL} connections`);
		const ceilingPool = await postgresCeiling(
			database.url,
			applicationRows(docs.applications, BATCH, POOL),
			applicationRows(warm.applications, BATCH, POOL),
			POOL
		);
		step(`HTTP ingest, ${POOL} devices`);
		const ingestPool = await ingest(
			server,
			docs.applications,
			warm.applications,
			POOL,
			census.count
		);
		// Where the gap goes: the same writes as a push, sent straight to PostgreSQL.
		step("the server's writes without the server, 1 and " + POOL + ' connections');
		const writesOne = await serverWrites(
			database.url,
			() => applicationRows(docs.applications, BATCH, 1),
			applicationRows(warm.applications, BATCH, 1),
			1
		);
		const writesPool = await serverWrites(
			database.url,
			() => applicationRows(docs.applications, BATCH, POOL),
			applicationRows(warm.applications, BATCH, POOL),
			POOL
		);

		step('PouchDB replication into pouchdb-server');
		const pouchDocs = pouchDocuments(docs.applications);
		const pouch = await startPouch();
		const [pouchOne, pouchPool] = await (async () => {
			try {
				await pouch.replicate(pouchDocuments(warm.applications).documents, 'warmup');
				// Each run into a database of its own: the same documents, nothing there yet.
				const rounds = async (devices: number) => {
					const runs: PouchResult[] = [];
					for (let round = 0; round < ROUNDS; round++) {
						runs.push(
							await pouch.replicate(pouchDocs.documents, `run_${devices}_${round}`, devices)
						);
					}
					return medianRun(runs);
				};
				return [await rounds(1), await rounds(POOL)];
			} finally {
				await pouch.stop();
			}
		})();

		// What a rule approves on the push cannot be put in review: the kiosk's applications
		// are the first of the corpus that no rule decides (births, activities needing an
		// inspection).
		const undecided = docs.applications.filter(leftToPerson).slice(0, CATCH_UP);
		step(`catch-up of ${undecided.length} status changes`);
		const caughtUp = await catchUp(server, database.url, undecided);

		step(`${LOAD_DEVICES} devices for ${LOAD_SECONDS} s`);
		const load = await underLoad(server, LOAD_DEVICES, LOAD_SECONDS, LOAD_BATCH, (i) =>
			application(1_000_000 + i)
		);

		if (load.errors > 0) {
			// What the server said about them: its errors are logged even at LOG_LEVEL=warn.
			console.log(`server log (last lines), for the ${load.errors} error(s):\n${server.output()}`);
		}

		const measurements: Measurements = {
			machine,
			documents: {
				count: DOCUMENTS,
				mutationBytes: docs.mutationBytes,
				answersBytes: docs.answersBytes,
				storedAnswersBytes: docs.storedAnswersBytes,
				services: docs.services,
				pouchDocumentBytes: pouchDocs.bytes / pouchDocs.documents.length
			},
			pool: POOL,
			ingest: { one: ingestOne, pool: ingestPool },
			ceiling: { one: ceilingOne, pool: ceilingPool },
			serverWrites: { one: writesOne, pool: writesPool },
			pouch: { one: pouchOne, pool: pouchPool },
			catchUp: caughtUp,
			load,
			totalSeconds: (performance.now() - began) / 1000
		};
		const results = figures(measurements);
		const section = markdown(measurements, results);
		console.log('\n' + section + '\n');
		if (process.env.BENCH_NO_WRITE !== '1') {
			await writeResults(resolve(ROOT, 'docs/benchmarks.md'), section);
			console.log('written to docs/benchmarks.md');
		}
		console.log(summaryLine(results));
	} finally {
		await census.end();
		await server.stop();
		await database.drop();
	}
}

// Node exits quietly when nothing is left to wait for, even with a promise unsettled (a
// driver waiting forever, say): that must fail, not pass as a run with no figures.
let settled = false;
process.on('beforeExit', () => {
	if (!settled) {
		console.error('bench:sync stopped before it finished: something waited on nothing');
		process.exitCode = 1;
	}
});
main()
	.catch((error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	})
	.finally(() => {
		settled = true;
	});
