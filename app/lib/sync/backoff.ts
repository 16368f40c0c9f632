const BASE_MS = 2_000;
const CAP_MS = 5 * 60_000;

/**
 * Delay before retry number `attempt` (1, 2, …): exponential and capped, half of it
 * random, so that a village of devices that lost the link together does not come back
 * together, while no device retries sooner than half its step.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
	const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempt - 1));
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

// A server that asks for a longer wait is believed up to a day; past that it is a mistake.
const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;

/**
 * The wait a `Retry-After` header asks for (RFC 9110: whole seconds, or an HTTP date), in
 * milliseconds; undefined when there is none or it cannot be read.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
	if (!header) return undefined;
	const value = header.trim();
	const ms = /^\d{1,10}$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
	if (!Number.isFinite(ms)) return undefined;
	return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
