/** A reference a person can read over the phone: `DL-2026-000042`. */
export function formatReference(year: number, number: number): string {
	return `DL-${year}-${String(number).padStart(6, '0')}`;
}

export const REFERENCE_PATTERN = /^DL-\d{4}-\d{6,}$/;
