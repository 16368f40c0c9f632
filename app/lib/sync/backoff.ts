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
