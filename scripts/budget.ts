/** `npm run budget [-- --report | --write]`: see scripts/budget/run.ts. */
import { runBudget } from './budget/run';

const ROOT = new URL('..', import.meta.url).pathname;
const { code, output } = await runBudget(ROOT, process.argv.slice(2));
(code === 0 ? console.log : console.error)(output.join('\n'));
process.exitCode = code;
