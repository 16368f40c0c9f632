import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../sync-server/db/open';
import { replayCommand, seedsToRun } from './seeds';
import { runSeed } from './world';

const SEEDS = seedsToRun(Number(process.env.SIM_SEEDS ?? 300));

let database: OpenDatabase;

beforeAll(async () => {
	// One PGlite for every seed, emptied between them: starting one takes seconds.
	database = await openDatabase({ dataDir: 'memory://' });
});
afterAll(async () => {
	await database?.close();
});

describe('deterministic simulation: devices, faulty network, restarts, reviewers', () => {
	it(`keeps every promise over ${SEEDS.length} seeds`, async () => {
		const failures: string[] = [];
		for (const seed of SEEDS) {
			const broken = await runSeed(seed, database.db);
			if (broken.length > 0) {
				failures.push(
					`seed ${seed} — replay: ${replayCommand(seed)}\n  ${broken.slice(0, 8).join('\n  ')}`
				);
				if (failures.length >= 3) break;
			}
		}
		expect(failures.join('\n\n')).toBe('');
	});
});
