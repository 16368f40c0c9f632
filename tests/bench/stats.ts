/** Small numeric helpers for reporting. */

/** The p-th percentile (0–100) of `values` by nearest rank; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? NaN;
}

export const sum = (values: readonly number[]) => values.reduce((total, v) => total + v, 0);

/** A whole number with thin grouping for reading: 12 345. */
export function whole(value: number): string {
	return Math.round(value).toLocaleString('en-US').replaceAll(',', ' ');
}

/** A ratio to two decimals: 0.27. */
export const ratio = (value: number) => value.toFixed(2);

/** Milliseconds to one decimal. */
export const ms = (value: number) => value.toFixed(1);

/** Bytes in UTF-8 of a string. */
export const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Timed runs of each figure: a run of a couple of seconds alone is noise. */
export const ROUNDS = 3;

/** The middle run by time (the median of an odd number of runs). */
export function medianRun<T extends { seconds: number }>(runs: readonly T[]): T {
	const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
	const middle = sorted[Math.floor(sorted.length / 2)];
	if (!middle) throw new Error('no runs');
	return middle;
}
