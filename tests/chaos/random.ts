/**
 * A seeded PRNG (mulberry32), so a failing chaos run can be planned again from its seed.
 * Each actor (the proxy, each device, the server schedule) draws from its own stream:
 * one actor's extra draws then do not shift every other actor's plan.
 */
export class Rng {
	#state: number;

	constructor(seed: number) {
		this.#state = seed >>> 0;
	}

	/** A float in [0, 1). */
	next(): number {
		this.#state = (this.#state + 0x6d2b79f5) >>> 0;
		let t = this.#state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	}

	/** An integer in [min, max], both included. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	/** True with probability `p`. */
	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(items: readonly T[]): T {
		const item = items[Math.floor(this.next() * items.length)];
		if (item === undefined) throw new Error('pick from an empty list');
		return item;
	}

	/** A shuffled copy of `items` (Fisher–Yates). */
	shuffle<T>(items: readonly T[]): T[] {
		const out = [...items];
		for (let i = out.length - 1; i > 0; i--) {
			const j = this.int(0, i);
			[out[i], out[j]] = [out[j]!, out[i]!];
		}
		return out;
	}

	/** An independent stream named `label`, the same for the same seed and label. */
	fork(label: string): Rng {
		let hash = this.#state ^ 0x9e3779b9;
		for (const char of label) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
		return new Rng(hash >>> 0);
	}
}

/** A fresh seed when none is given: the run prints it so it can be replayed. */
export function seedFrom(text: string | undefined): number {
	if (text === undefined || text === '') return Math.floor(Math.random() * 2 ** 31);
	const seed = Number(text);
	if (!Number.isInteger(seed) || seed < 0)
		throw new Error(`CHAOS_SEED must be an integer: ${text}`);
	return seed;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
