/**
 * `npm run budget`: measures the build and holds it to budgets.json. `--report` also lists
 * every file with its bytes as served and the pages that load it; `--write` sets
 * budgets.json to the build's figures (a change a reviewer sees in the diff).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outsideCitizenFiles, routeFiles } from './chunk-graph';
import { budgetsFor, FIGURES, overBudget, readBudgets, type FigureName } from './budgets';
import { readClientBuild, type ClientBuild } from './client-build';
import { costs, HOME_PAGE, measure, type Figure, type Figures } from './figures';

const OPTIONS = ['--report', '--write'];

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const COMMENT =
	'Bytes as served (brotli). limit: the most each figure may weigh; chunks: each ' +
	'chunk when the limit was set, to name what grew. Written by `npm run budget -- --write`.';

/** The pages that load each file; files loaded by every page say so. */
function loadedBy(build: ClientBuild): (file: string) => string {
	const pages = new Map<string, string[]>();
	for (const route of build.routes) {
		for (const file of routeFiles(build.manifest, route)) {
			pages.set(file, [...(pages.get(file) ?? []), route.id]);
		}
	}
	const outside = outsideCitizenFiles(build.manifest, build.routes);
	return (file) => {
		if (file === HOME_PAGE) return 'every page (the HTML)';
		const ids = pages.get(file) ?? [];
		if (ids.length === build.routes.length) return 'every page';
		if (outside.has(file)) return `${ids.join(', ')} (outside the citizen's app: not precached)`;
		return ids.length ? ids.join(', ') : 'no page at start (precached for offline use)';
	};
}

function report(build: ClientBuild, figures: Figures): string[] {
	const pages = loadedBy(build);
	const lines = (title: string, figure: Figure) => [
		`\n${title}: ${kib(figure.bytes)}`,
		...figure.files.map(
			({ file, label, bytes, encoding }) =>
				`  ${String(bytes).padStart(7)} B ${encoding.padEnd(8)} ${label.padEnd(28)} ` +
				`${file}  ← ${pages(file)}`
		)
	];
	const outside = outsideCitizenFiles(build.manifest, build.routes);
	return [
		...lines(FIGURES.firstVisit, figures.firstVisit),
		...lines(FIGURES.precache, figures.precache),
		...lines('left out of both (outside the citizen’s app)', costs(build, outside)),
		...lines(FIGURES.qrDecoder, figures.qrDecoder)
	];
}

export interface BudgetRun {
	code: number;
	output: string[];
}

/** Runs the budget on the build and budgets.json under `root`. */
export async function runBudget(root: string, args: string[]): Promise<BudgetRun> {
	const budgetsPath = join(root, 'budgets.json');
	const output: string[] = [];
	// A mistyped flag must not quietly run a plain check instead.
	const unknown = args.filter((arg) => !OPTIONS.includes(arg));
	if (unknown.length) {
		return {
			code: 2,
			output: [`budget: unknown ${unknown.join(' ')}; use ${OPTIONS.join(' or ')}`]
		};
	}
	try {
		const build = await readClientBuild(root);
		const figures = measure(build);
		for (const name of Object.keys(FIGURES) as FigureName[]) {
			output.push(`${FIGURES[name]}: ${figures[name].bytes} B (${kib(figures[name].bytes)})`);
		}
		if (args.includes('--report')) output.push(...report(build, figures));
		if (args.includes('--write')) {
			writeFileSync(budgetsPath, `${JSON.stringify(budgetsFor(figures, COMMENT), null, '\t')}\n`);
			return { code: 0, output: [...output, `wrote ${budgetsPath}`] };
		}
		const failures = overBudget(figures, readBudgets(budgetsPath));
		if (failures.length) return { code: 1, output: [...output, 'budget exceeded:', ...failures] };
		return { code: 0, output: [...output, 'within budget'] };
	} catch (error) {
		return { code: 2, output: [...output, `budget: ${(error as Error).message}`] };
	}
}
