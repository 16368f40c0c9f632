/**
 * Reads a production build from disk: adapter-static's output (`build/`), the client
 * build's Vite manifest and SvelteKit's route table. Anything missing or unreadable is
 * an error that says what to do, never an empty build that would pass every budget.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Route, ViteManifest } from './chunk-graph';

export interface ClientBuild {
	/** adapter-static's output, as the server hands it out. */
	dir: string;
	manifest: ViteManifest;
	routes: Route[];
}

const NOT_BUILT = 'run `npm run build` first';

/** The Vite manifest of the client build under `root` (a repository or a fixture). */
export function readViteManifest(root: string): ViteManifest {
	const path = join(root, '.svelte-kit/output/client/.vite/manifest.json');
	if (!existsSync(path)) throw new Error(`no client manifest at ${path}: ${NOT_BUILT}`);
	const manifest: unknown = JSON.parse(readFileSync(path, 'utf8'));
	if (typeof manifest !== 'object' || manifest === null || Object.keys(manifest).length === 0) {
		throw new Error(`the client manifest at ${path} is empty: ${NOT_BUILT}`);
	}
	return manifest as ViteManifest;
}

interface KitRoute {
	id: string;
	page: { layouts: (number | undefined)[]; errors: (number | undefined)[]; leaf: number } | null;
}

/**
 * The app's pages and the nodes each loads, from the route table SvelteKit writes for its
 * server build (`manifest-full.js`, an ES module whose nodes load only when asked).
 */
export async function readRoutes(root: string): Promise<Route[]> {
	const path = join(root, '.svelte-kit/output/server/manifest-full.js');
	if (!existsSync(path)) throw new Error(`no route table at ${path}: ${NOT_BUILT}`);
	// Node keeps a module once imported; the modification time makes a rebuilt one new.
	const url = `${pathToFileURL(path).href}?${statSync(path).mtimeMs}`;
	const { manifest } = (await import(url)) as {
		manifest: { _: { routes: KitRoute[] } };
	};
	return manifest._.routes.flatMap(({ id, page }) =>
		page
			? [
					{
						id,
						nodes: [...page.layouts, ...page.errors, page.leaf].filter(
							(n): n is number => n !== undefined
						)
					}
				]
			: []
	);
}

/** The build under `root`, checked to be whole. */
export async function readClientBuild(root: string): Promise<ClientBuild> {
	const dir = join(root, 'build');
	for (const file of ['index.html', 'service-worker.js']) {
		if (!existsSync(join(dir, file))) throw new Error(`no ${file} in ${dir}: ${NOT_BUILT}`);
	}
	const manifest = readViteManifest(root);
	const missing = Object.values(manifest)
		.map((chunk) => chunk.file)
		.filter((file) => !existsSync(join(dir, file)));
	if (missing.length > 0) {
		throw new Error(`${dir} lacks ${missing.join(', ')}: it is from another build; ${NOT_BUILT}`);
	}
	return { dir, manifest, routes: await readRoutes(root) };
}
