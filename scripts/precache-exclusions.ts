/**
 * Keeps the pages outside the citizen's app (scripts/citizen-app.ts) out of the service
 * worker's install. SvelteKit hands the worker every file of the client build as a list of
 * URLs and builds the worker right after the client, with its own Vite config and no user
 * plugins. So this plugin, in the client build, works out from the Vite manifest which
 * files only those routes load (by reachability, so a chunk shared with a citizen page
 * stays) and writes them to PRECACHE_EXCLUDED; the worker reads that file at its own build
 * and filters `build` with it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import {
	cachedOnceVisitedFiles,
	outsideCitizenFiles,
	type ViteManifest
} from './budget/chunk-graph.ts';
import { readRoutes } from './budget/client-build.ts';

/** Where the client build leaves the list, relative to the repository root. */
export const PRECACHE_EXCLUDED = '.svelte-kit/dala/precache-excluded.json';
/** Where it leaves the files of those pages the worker keeps once visited (`/verify`'s). */
export const CACHED_ONCE_VISITED_FILES = '.svelte-kit/dala/cached-once-visited.json';

export function precacheExclusions(): Plugin {
	let ssr = false;
	let outDir = '';
	let root = '';
	return {
		name: 'dala-precache-exclusions',
		apply: 'build',
		configResolved(config) {
			ssr = Boolean(config.build.ssr);
			outDir = config.build.outDir;
			root = config.root;
		},
		async writeBundle() {
			if (ssr) return;
			const manifest = JSON.parse(
				readFileSync(join(outDir, '.vite/manifest.json'), 'utf8')
			) as ViteManifest;
			const routes = await readRoutes(root);
			// Written every build, empty when nothing is outside, so a stale list never lingers.
			const write = (file: string, files: Set<string>) => {
				const path = join(root, file);
				mkdirSync(dirname(path), { recursive: true });
				writeFileSync(path, JSON.stringify([...files].map((f) => `/${f}`).sort()));
			};
			write(PRECACHE_EXCLUDED, outsideCitizenFiles(manifest, routes));
			write(CACHED_ONCE_VISITED_FILES, cachedOnceVisitedFiles(manifest, routes));
		}
	};
}
