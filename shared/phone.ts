/**
 * Kazakhstan phone numbers: +7 followed by ten digits, the first of which is 7
 * (mobile 70x/74x/75x/77x, and every landline area code). People write them as
 * `+7 701 234 56 78`, `8 (701) 234-56-78` or `7012345678`; all mean the same line.
 */

/** The number as `+77012345678`, or null when it is not a Kazakhstan number. */
export function normalizePhone(input: string): string | null {
	const digits = input.replace(/[\s()\-.]/g, '');
	const match = /^(?:\+7|8|7)?(7\d{9})$/.exec(digits);
	return match ? `+7${match[1]}` : null;
}

/** A normalized number as people read it: `+7 701 234 56 78`. */
export function formatPhone(normalized: string): string {
	const match = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(normalized);
	return match ? `+7 ${match.slice(1).join(' ')}` : normalized;
}
