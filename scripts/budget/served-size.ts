/**
 * The bytes a file costs as the server sends it: sync-server/http/static-files.ts serves
 * the precompressed `.br` to every client that accepts brotli (every browser that runs
 * the app), `.gz` otherwise, and the file itself when neither was made (images).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ServedSize {
	bytes: number;
	encoding: 'br' | 'gzip' | 'identity';
}

/** The size of `file` (relative to the build `dir`) as served to a brotli-capable browser. */
export function servedSize(dir: string, file: string): ServedSize {
	const path = join(dir, file);
	if (existsSync(`${path}.br`)) return { bytes: statSync(`${path}.br`).size, encoding: 'br' };
	if (existsSync(`${path}.gz`)) return { bytes: statSync(`${path}.gz`).size, encoding: 'gzip' };
	if (!existsSync(path)) throw new Error(`${path} is missing from the build`);
	return { bytes: statSync(path).size, encoding: 'identity' };
}
