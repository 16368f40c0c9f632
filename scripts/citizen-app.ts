/**
 * Which pages belong to the citizen's app. Staff, office, administrator and verify pages
 * live in the same build, but a citizen's phone must not pay for them: the service worker
 * leaves out the chunks only these routes import (scripts/precache-exclusions.ts) and the
 * budget (scripts/budget.ts) counts without them. A later issue that adds such a section
 * names its prefix here.
 */
export const OUTSIDE_CITIZEN_APP = ['/staff', '/office', '/admin', '/verify'] as const;

/**
 * Pages outside the install that still work offline once visited: the service worker keeps
 * the files they load (the QR decoder of `/verify` among them) when they are first fetched.
 */
export const CACHED_ONCE_VISITED = ['/verify'] as const;

/**
 * The address of a SvelteKit route id: route groups `(name)` do not appear in it, so
 * `/(citizen)` is the home page `/` and `/(office)/office` is `/office`.
 */
export const addressOf = (routeId: string): string => routeId.replace(/\/\([^/)]+\)/g, '') || '/';

const under = (prefixes: readonly string[], routeId: string): boolean => {
	const path = addressOf(routeId);
	return prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
};

/** Whether a SvelteKit route id (`/staff/cases/[id]`, `/(office)/office`) is outside. */
export function isOutsideCitizenApp(routeId: string): boolean {
	return under(OUTSIDE_CITIZEN_APP, routeId);
}

/** Whether a route's files are kept by the service worker once visited (CACHED_ONCE_VISITED). */
export function isCachedOnceVisited(routeId: string): boolean {
	return under(CACHED_ONCE_VISITED, routeId);
}
