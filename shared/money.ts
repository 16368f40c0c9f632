/**
 * Money in tenge, without floating point. An amount travels and is stored as a decimal
 * string of tenge — `"1250000"` or `"1250000.50"` — because answers are text end to end
 * (JSON, IndexedDB, the jsonb column) and a reviewer reads the stored figure as written.
 * Arithmetic is done on whole tiyn (1 tenge = 100 tiyn) as `bigint`, so no amount is ever
 * a binary fraction.
 */

const AMOUNT = /^(-?)(\d{1,15})(?:[.,](\d{1,2}))?$/;

/** Whole tiyn for what a person typed (`1 250 000,5`, `-20`, `1250000.50`), or null. */
export function parseTiyn(text: string): bigint | null {
	const match = AMOUNT.exec(text.replace(/[\s\u00a0\u202f'₸]/g, ''));
	if (!match) return null;
	const [, sign, whole, fraction = ''] = match;
	const tiyn = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
	return sign ? -tiyn : tiyn;
}

/** The canonical text of an amount: no grouping, a point, two fraction digits or none. */
export function formatTenge(tiyn: bigint): string {
	const sign = tiyn < 0n ? '-' : '';
	const abs = tiyn < 0n ? -tiyn : tiyn;
	const whole = abs / 100n;
	const fraction = abs % 100n;
	return fraction === 0n
		? `${sign}${whole}`
		: `${sign}${whole}.${fraction.toString().padStart(2, '0')}`;
}

/** An amount as people read it: `1 250 000,50 ₸` (grouped by thin spaces). */
export function displayTenge(canonical: string): string {
	const [whole = '', fraction] = canonical.split('.');
	const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
	return `${grouped}${fraction ? `,${fraction}` : ''} ₸`;
}

/**
 * Rounds tiyn to whole tenge as Kazakhstan's Tax Code rounds declared amounts: less than
 * 50 tiyn is dropped, 50 or more counts as a whole tenge. For amounts ≥ 0.
 */
export function roundToTenge(tiyn: bigint): bigint {
	return ((tiyn + 50n) / 100n) * 100n;
}

/** `amount × basisPoints / 10 000`, exact to the tiyn below (for amounts ≥ 0). */
export function percentOf(tiyn: bigint, basisPoints: number): bigint {
	return (tiyn * BigInt(basisPoints)) / 10_000n;
}
