import { randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';

/**
 * Argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): 80–150 ms
 * here, on one core. hash-wasm is WebAssembly, so there is no native build to break on a
 * new Node or platform (docs/decisions.md). The PHC string keeps its parameters, so
 * raising them later still verifies old hashes.
 */
const PARAMETERS = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 } as const;

export function hashPassword(password: string): Promise<string> {
	return argon2id({ password, salt: randomBytes(16), ...PARAMETERS, outputType: 'encoded' });
}

/** True when `password` matches `hash`; a malformed stored hash matches nothing. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
	try {
		return await argon2Verify({ password, hash });
	} catch {
		return false;
	}
}

/**
 * A hash of no password, verified against when the login is unknown, so an unknown
 * login takes as long to refuse as a wrong password and logins cannot be enumerated.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
	decoy ??= hashPassword(randomBytes(16).toString('hex'));
	return decoy;
}
