/**
 * Kazakhstan's individual identification number (IIN) and business identification
 * number (BIN) share one check-digit rule: twelve digits, the last one a checksum of
 * the first eleven.
 */

const FIRST_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
// Used only when the first pass gives 10, which cannot be a single digit.
const SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2] as const;

function weightedSum(digits: readonly number[], weights: readonly number[]): number {
	return weights.reduce((sum, w, i) => sum + w * (digits[i] ?? 0), 0) % 11;
}

/** The check digit for the first eleven digits, or null when no digit can be valid. */
export function iinCheckDigit(first11: string): number | null {
	if (!/^\d{11}$/.test(first11)) return null;
	const digits = [...first11].map(Number);
	let check = weightedSum(digits, FIRST_WEIGHTS);
	if (check === 10) check = weightedSum(digits, SECOND_WEIGHTS);
	return check === 10 ? null : check;
}

/** True when `value` is twelve digits whose last digit is the official check digit. */
export function isValidIin(value: string): boolean {
	if (!/^\d{12}$/.test(value)) return false;
	return iinCheckDigit(value.slice(0, 11)) === Number(value[11]);
}
