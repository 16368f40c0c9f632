import { createHash, randomBytes } from 'node:crypto';

/** What the tables keep of a token or code: its SHA-256, hex. */
export function hashOf(secret: string): string {
	return createHash('sha256').update(secret).digest('hex');
}

/**
 * A bearer secret: a kind prefix and 32 bytes from the CSPRNG, base64url (shared/accounts.ts
 * says which prefixes). 256 bits cannot be guessed, so a plain SHA-256 at rest suffices:
 * there is nothing small to brute-force from a copy of the table.
 */
export function newToken(prefix: 'da_' | 'dr_' | 'ds_'): string {
	return prefix + randomBytes(32).toString('base64url');
}

/** Six decimal digits, uniform (`randomInt` has no modulo bias). */
export function newSixDigitCode(): string {
	return String(randomIntBelow(1_000_000)).padStart(6, '0');
}

function randomIntBelow(max: number): number {
	// Rejection sampling over 32-bit draws, as crypto.randomInt does, without its callback form.
	const limit = Math.floor(0x1_0000_0000 / max) * max;
	for (;;) {
		const n = randomBytes(4).readUInt32BE();
		if (n < limit) return n % max;
	}
}
