import { createHash } from 'node:crypto';

/**
 * A real JPEG header and `size` bytes of seeded noise: what a photo looks like to the
 * server's type check, different for every seed, the same for the same seed.
 */
export function samplePhoto(size: number, seed = 1): Uint8Array {
	const bytes = new Uint8Array(size);
	let x = seed;
	for (let i = 0; i < size; i++) {
		x = (x * 1103515245 + 12345) & 0x7fffffff;
		bytes[i] = x >> 16;
	}
	bytes.set([0xff, 0xd8, 0xff, 0xe0]);
	return bytes;
}

/** The hex SHA-256 by which files are named. */
export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
