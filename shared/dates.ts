/**
 * Calendar dates as ISO `yyyy-mm-dd` strings: what `<input type="date">` gives, what is
 * stored, and what sorts correctly as text. No time of day and no time zone: a birth date
 * is the same date everywhere.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

/** Kazakhstan has kept one time zone, UTC+5, since 1 March 2024. */
const KAZAKHSTAN_OFFSET_MS = 5 * 60 * 60 * 1000;

/** Today's date in Kazakhstan: what "not in the future" is measured against. */
export function todayInKazakhstan(now: Date = new Date()): string {
	return new Date(now.getTime() + KAZAKHSTAN_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The ISO date for what a person typed — `2026-03-08`, or `8.03.2026` as people in
 * Kazakhstan write it where the browser has no date picker — or null when it is no real
 * date (31 February, month 13, a year before 1900).
 */
export function parseDate(text: string): string | null {
	let y: number, m: number, d: number;
	const iso = ISO.exec(text);
	const dotted = iso ? null : DOTTED.exec(text);
	if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
	else if (dotted) [d, m, y] = [Number(dotted[1]), Number(dotted[2]), Number(dotted[3])];
	else return null;
	if (y < 1900 || m < 1 || m > 12 || d < 1) return null;
	const date = new Date(Date.UTC(y, m - 1, d));
	if (date.getUTCMonth() !== m - 1) return null;
	return date.toISOString().slice(0, 10);
}

/** The ISO date `days` after (or before, when negative) an ISO date. */
export function addDays(isoDate: string, days: number): string {
	const date = new Date(`${isoDate}T00:00:00Z`);
	date.setUTCDate(date.getUTCDate() + days);
	return date.toISOString().slice(0, 10);
}

/** An ISO date as people read it in Kazakhstan: `08.03.2026`. */
export function displayDate(isoDate: string): string {
	const match = ISO.exec(isoDate);
	return match ? `${match[3]}.${match[2]}.${match[1]}` : isoDate;
}
