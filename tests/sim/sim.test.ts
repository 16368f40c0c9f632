import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../sync-server/db/open';
import { replayCommand, seedsToRun } from './seeds';
import { runSeed, type Coverage } from './world';

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
		const seen: Coverage = {
			secondDevices: 0,
			signInsAgain: 0,
			crossDeviceAmends: 0,
			conflicts: 0,
			withPhotos: 0
		};
		for (const seed of SEEDS) {
			const broken = await runSeed(seed, database.db, undefined, (c) => {
				for (const key of Object.keys(seen) as (keyof Coverage)[]) seen[key] += c[key];
			});
			if (broken.length > 0) {
				failures.push(
					`seed ${seed} — replay: ${replayCommand(seed)}\n  ${broken.slice(0, 8).join('\n  ')}`
				);
				if (failures.length >= 3) break;
			}
		}
		expect(failures.join('\n\n')).toBe('');
		// Passing proves little unless the hard cases happened: several devices of one
		// person, sessions that ended and a sign-in again, one device correcting what another
		// sent, and corrections that conflicted.
		if (SEEDS.length >= 100) {
			expect(seen.secondDevices).toBeGreaterThan(SEEDS.length / 4);
			expect(seen.signInsAgain).toBeGreaterThan(SEEDS.length / 10);
			expect(seen.crossDeviceAmends).toBeGreaterThan(SEEDS.length / 20);
			expect(seen.conflicts).toBeGreaterThan(SEEDS.length / 20);
			expect(seen.withPhotos).toBeGreaterThan(SEEDS.length / 2);
		}
		console.log(`coverage over ${SEEDS.length} seeds: ${JSON.stringify(seen)}`);
	});
});
