/**
 * `budgets.json`: the most each figure may weigh, and the size of each chunk when the
 * limits were last set, so a failure can say which chunks grew.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as v from 'valibot';
import type { Figure, Figures } from './figures';

const Bytes = v.pipe(v.number(), v.integer(), v.minValue(0));
const Budget = v.strictObject({
	/** The most the figure may weigh, in bytes as served. */
	limit: Bytes,
	/** Each chunk's bytes as served when the limit was set, by its label. */
	chunks: v.record(v.string(), Bytes)
});
const BudgetsFile = v.strictObject({
	$comment: v.optional(v.string()),
	firstVisit: Budget,
	precache: Budget,
	qrDecoder: Budget
});

export type Budgets = v.InferOutput<typeof BudgetsFile>;
export type FigureName = keyof Figures;

export const FIGURES: Record<FigureName, string> = {
	firstVisit: 'first visit to the home page',
	precache: 'service worker install',
	qrDecoder: 'QR decoder, /verify on first use'
};

/** Reads and checks `budgets.json`; a missing or malformed file is an error that says so. */
export function readBudgets(path: string): Budgets {
	if (!existsSync(path)) {
		throw new Error(`no budgets at ${path}: the budget cannot pass without limits to meet`);
	}
	let json: unknown;
	try {
		json = JSON.parse(readFileSync(path, 'utf8'));
	} catch (error) {
		throw new Error(`${path} is not JSON: ${(error as Error).message}`);
	}
	const parsed = v.safeParse(BudgetsFile, json);
	if (!parsed.success) {
		const issues = parsed.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`);
		throw new Error(`${path} is malformed:\n  ${issues.join('\n  ')}`);
	}
	return parsed.output;
}

/** Bytes per label, summed where two files share one. */
export function chunkSizes(figure: Figure): Record<string, number> {
	const sizes: Record<string, number> = {};
	for (const { label, bytes } of figure.files) sizes[label] = (sizes[label] ?? 0) + bytes;
	return sizes;
}

export interface Growth {
	label: string;
	was: number | undefined;
	now: number;
}

/** The chunks that weigh more than the baseline, or are new, biggest growth first. */
export function grown(figure: Figure, baseline: Record<string, number>): Growth[] {
	return Object.entries(chunkSizes(figure))
		.map(([label, now]) => ({ label, was: baseline[label], now }))
		.filter(({ was, now }) => was === undefined || now > was)
		.sort((a, b) => b.now - (b.was ?? 0) - (a.now - (a.was ?? 0)));
}

/** One message per figure over its limit, naming the limit and what grew; empty when within. */
export function overBudget(figures: Figures, budgets: Budgets): string[] {
	return (Object.keys(FIGURES) as FigureName[]).flatMap((name) => {
		const figure = figures[name];
		const { limit, chunks } = budgets[name];
		if (figure.bytes <= limit) return [];
		const growth = grown(figure, chunks).map(
			({ label, was, now }) =>
				`    ${label}: ${was === undefined ? 'new' : `${was} →`} ${now} B` +
				(was === undefined ? '' : ` (+${now - was} B)`)
		);
		return [
			`${FIGURES[name]}: ${figure.bytes} B is over its budget of ${limit} B ` +
				`by ${figure.bytes - limit} B. Chunks that grew:\n` +
				(growth.length
					? growth.join('\n')
					: '    (none above the baseline, whose total is over the limit)')
		];
	});
}

/**
 * Budgets set at today's figures, each rounded up to a whole KiB at least 512 B above (at most
 * 1.5 KiB): two builds of the same code differ by a few bytes (the build version is inside).
 */
export function budgetsFor(figures: Figures, comment: string | undefined): Budgets {
	const budget = (figure: Figure) => ({
		limit: Math.ceil((figure.bytes + 512) / 1024) * 1024,
		chunks: chunkSizes(figure)
	});
	return {
		...(comment === undefined ? {} : { $comment: comment }),
		firstVisit: budget(figures.firstVisit),
		precache: budget(figures.precache),
		qrDecoder: budget(figures.qrDecoder)
	};
}
