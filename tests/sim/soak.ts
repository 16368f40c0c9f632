/**
 * The long run of the simulation, outside `npm test`:
 *   npm run test:soak -- --seeds 10000 [--start 1]
 * Prints progress, and for each failing seed the command that replays it.
 */
import 'fake-indexeddb/auto';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../sync-server/db/open';
import { replayCommand } from './seeds';
import { runSeed } from './world';

const { values } = parseArgs({
	options: { seeds: { type: 'string', default: '10000' }, start: { type: 'string', default: '1' } }
});
const count = Number(values.seeds);
const start = Number(values.start);

const database = await openDatabase({ dataDir: 'memory://' });
const began = Date.now();
let failed = 0;
for (let seed = start; seed < start + count; seed++) {
	const broken = await runSeed(seed, database.db);
	if (broken.length > 0) {
		failed += 1;
		console.log(`seed ${seed} FAILED — replay: ${replayCommand(seed)}\n  ${broken.join('\n  ')}`);
	}
	if ((seed - start + 1) % 100 === 0) {
		const rate = ((seed - start + 1) / ((Date.now() - began) / 1000)).toFixed(1);
		console.log(`${seed - start + 1}/${count} seeds, ${failed} failed, ${rate} seeds/s`);
	}
}
await database.close();
console.log(`${count - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
