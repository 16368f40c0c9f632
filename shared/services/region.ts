/**
 * Which region an application belongs to, the one rule for it: the server stores it on
 * every application it receives or amends (`applications.region`), and the policy lets
 * only that region's reviewers decide it. A region is one of the REGIONS codes; an
 * application with none (its service names no region answer, as the tax declaration and
 * the entrepreneur's free-text version 1) belongs to the national queue.
 */
import { REGIONS } from './address';
import type { ServiceSpec } from './definition';

/** Every region an application can belong to: the REGIONS codes, in their order. */
export const REGION_CODES: readonly string[] = REGIONS.map((region) => region.value);

const codes = new Set(REGION_CODES);

/** Whether `value` is one of the REGIONS codes. */
export function isRegionCode(value: unknown): value is string {
	return typeof value === 'string' && codes.has(value);
}

/**
 * The REGIONS code of the region `answers`, made on `definition`, belong to; or null, the
 * national queue. Answers the server stores are validated, so the answer is a code or
 * absent; anything else is still no region, never a region nobody reviews.
 */
export function regionOf(
	definition: Pick<ServiceSpec, 'region'>,
	answers: Readonly<Record<string, unknown>>
): string | null {
	if (definition.region === undefined) return null;
	const answer = answers[definition.region];
	return isRegionCode(answer) ? answer : null;
}
