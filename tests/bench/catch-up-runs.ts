/**
 * `npm run bench:catch-up`: the catch-up of 10,000 status changes alone (catch-up.ts), run
 * three times on one server, each with a kiosk of its own, and the median reported. The
 * whole bench:sync takes many minutes; this answers the one question quickly.
 *
 * Environment: BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test; a scratch
 * database is made there and dropped), DATABASE_POOL_SIZE (10).
 */
import { randomUUID } from 'node:crypto';
import { catchUp, type CatchUpResult } from './catch-up';
import { corpus } from './corpus';
import { describeMachine } from './machine';
import { ROOT, startSyncServer } from './processes';
import { createScratchDatabase } from '../support/scratch-database';
import { postgresVersion } from './scratch-database';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const POOL = Number(process.env.DATABASE_POOL_SIZE ?? 10);
const CHANGES = 10_000;
const RUNS = 3;

const median = (values: number[]) =>
	[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
	const machine = describeMachine(await postgresVersion(ADMIN_URL), ROOT);
	const database = await createScratchDatabase(
		ADMIN_URL,
		`dala_catchup_${randomUUID().replaceAll('-', '').slice(0, 12)}`
	);
	const server = await startSyncServer(database.url, POOL);
	try {
		const runs: CatchUpResult[] = [];
		for (let run = 0; run < RUNS; run++) {
			runs.push(await catchUp(server, database.url, corpus(run * CHANGES, CHANGES).applications));
			const [app, large] = runs.at(-1)!.passes;
			console.log(
				`run ${run + 1}: ${app!.serverMs.toFixed(0)} ms in ${app!.requests} pulls ` +
					`(page 500: ${large!.serverMs.toFixed(0)} ms in ${large!.requests})`
			);
		}
		const byPage = (i: number) => median(runs.map((r) => r.passes[i]!.serverMs));
		console.log(JSON.stringify(machine));
		console.log(
			`bench:catch-up changes=${CHANGES} median_ms=${byPage(0).toFixed(0)} ` +
				`median_ms_page500=${byPage(1).toFixed(0)} runs=${RUNS}`
		);
	} finally {
		await server.stop();
		await database.drop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
