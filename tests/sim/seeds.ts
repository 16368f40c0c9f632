/**
 * Which seeds a run covers: `SIM_SEED=n` replays one; otherwise `count` seeds from
 * `SIM_SEED_START` (1 by default).
 */
export function seedsToRun(count: number): number[] {
	const one = process.env.SIM_SEED;
	if (one) return [Number(one)];
	const start = Number(process.env.SIM_SEED_START ?? 1);
	return Array.from({ length: count }, (_, i) => start + i);
}

/** The one command that replays a failing seed. */
export function replayCommand(seed: number): string {
	return `SIM_SEED=${seed} npm run test:sim`;
}
