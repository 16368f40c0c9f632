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

/**
 * True when `value` is a valid BIN: twelve digits, the same check digit as an IIN, a
 * registration month 01–12 in digits 3–4, and in digit 5 the kind of organisation
 * (4 a resident legal entity, 5 a non-resident one, 6 a joint individual entrepreneurship).
 */
export function isValidBin(value: string): boolean {
	if (!isValidIin(value)) return false;
	const month = Number(value.slice(2, 4));
	return month >= 1 && month <= 12 && '456'.includes(value[4]!);
}

/**
 * The birth date an IIN encodes (`yymmdd`, the century and sex in digit 7: 1–2 for the
 * 1800s, 3–4 the 1900s, 5–6 the 2000s; odd for men, even for women), or null for IINs
 * that encode none (digit 7 of 0, issued to some foreigners).
 */
export function iinBirthDate(iin: string): string | null {
	if (!/^\d{12}$/.test(iin)) return null;
	const centuryDigit = Number(iin[6]);
	if (centuryDigit < 1 || centuryDigit > 6) return null;
	const year = 1800 + Math.floor((centuryDigit - 1) / 2) * 100 + Number(iin.slice(0, 2));
	const date = `${year}-${iin.slice(2, 4)}-${iin.slice(4, 6)}`;
	const parsed = new Date(`${date}T00:00:00Z`);
	return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date ? null : date;
}
