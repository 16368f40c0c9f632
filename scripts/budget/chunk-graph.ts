/**
 * What the browser loads, read from the client build's Vite manifest: which files a page
 * fetches and which the service worker precaches. Pure functions over plain data, so the
 * budget, the service worker's exclusion list and their tests share one reading.
 */
import { isCachedOnceVisited, isOutsideCitizenApp } from '../citizen-app.ts';

/** One entry of `.vite/manifest.json` (the fields this reads). */
export interface ManifestChunk {
	file: string;
	name?: string;
	src?: string;
	isEntry?: boolean;
	imports?: string[];
	dynamicImports?: string[];
	css?: string[];
	assets?: string[];
}

export type ViteManifest = Record<string, ManifestChunk>;

/** A page of the app and the nodes (layouts, error pages, page) SvelteKit loads for it. */
export interface Route {
	id: string;
	nodes: number[];
}

// SvelteKit's router module dynamically imports every node and its error template; the
// router decides which run, so those imports are followed per route, never wholesale.
const ROUTER_MODULES = /^\.svelte-kit\/generated\//;
const NODE = /^\.svelte-kit\/generated\/client-optimized\/nodes\/(\d+)\.js$/;

/** The manifest key of node `index`. */
function nodeKey(manifest: ViteManifest, index: number): string {
	const key = Object.keys(manifest).find((k) => NODE.exec(k)?.[1] === String(index));
	if (key === undefined) throw new Error(`node ${index} is not in the client manifest`);
	return key;
}

/** The entry chunks every page starts from (SvelteKit's `start` and `app`). */
function entryKeys(manifest: ViteManifest): string[] {
	return Object.keys(manifest).filter((k) => manifest[k]!.isEntry && !NODE.test(k));
}

/**
 * Every file (JavaScript, CSS, assets) loaded from `keys`: their static imports, and the
 * lazy imports of the app's own code, which count because a home-page module may run them
 * at start (the update prompt loads workbox-window so) and a budget must not undercount.
 */
function closure(manifest: ViteManifest, keys: string[]): Set<string> {
	const seen = new Set<string>();
	const pending = [...keys];
	for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
		if (seen.has(key)) continue;
		seen.add(key);
		const chunk = manifest[key];
		if (!chunk) throw new Error(`the client manifest names ${key} but has no entry for it`);
		pending.push(...(chunk.imports ?? []));
		pending.push(...(chunk.dynamicImports ?? []).filter((k) => !ROUTER_MODULES.test(k)));
	}
	return filesOf(manifest, seen);
}

function filesOf(manifest: ViteManifest, keys: Iterable<string>): Set<string> {
	const files = new Set<string>();
	for (const key of keys) {
		const { file, css = [], assets = [] } = manifest[key]!;
		for (const f of [file, ...css, ...assets]) files.add(f);
	}
	return files;
}

/** The files module `key` loads: its own, and those of everything it imports. */
export function moduleFiles(manifest: ViteManifest, key: string): Set<string> {
	return closure(manifest, [key]);
}

/** The files a first visit to `route` fetches besides its HTML page. */
export function routeFiles(manifest: ViteManifest, route: Route): Set<string> {
	return closure(manifest, [
		...entryKeys(manifest),
		...route.nodes.map((n) => nodeKey(manifest, n))
	]);
}

/** SvelteKit's `$service-worker` `build` list: every file of the client build. */
export function buildFiles(manifest: ViteManifest): Set<string> {
	return filesOf(manifest, Object.keys(manifest));
}

/**
 * The files of the build that only routes outside the citizen's app load: everything the
 * citizen's routes and the entries cannot reach. Reachability, not names, decides, so a
 * chunk a staff page shares with a citizen page stays in.
 */
export function outsideCitizenFiles(manifest: ViteManifest, routes: Route[]): Set<string> {
	const citizen = routes.filter((route) => !isOutsideCitizenApp(route.id));
	const outsideNodes = new Set(
		routes.filter((r) => isOutsideCitizenApp(r.id)).flatMap((r) => r.nodes)
	);
	const reached = new Set<string>();
	for (const route of citizen) for (const f of routeFiles(manifest, route)) reached.add(f);
	// A node no route names (none today) and the error template stay, to be safe.
	const kept = Object.keys(manifest).filter((key) => {
		const node = NODE.exec(key);
		return node ? !outsideNodes.has(Number(node[1])) : ROUTER_MODULES.test(key);
	});
	for (const f of closure(manifest, kept)) reached.add(f);
	return new Set([...buildFiles(manifest)].filter((f) => !reached.has(f)));
}

/**
 * The files outside the install that the service worker keeps once a page of
 * CACHED_ONCE_VISITED fetches them: what those pages load, lazily loaded code included,
 * that the install does not already hold.
 */
export function cachedOnceVisitedFiles(manifest: ViteManifest, routes: Route[]): Set<string> {
	const outside = outsideCitizenFiles(manifest, routes);
	const files = new Set<string>();
	for (const route of routes.filter((r) => isCachedOnceVisited(r.id))) {
		for (const file of routeFiles(manifest, route)) if (outside.has(file)) files.add(file);
	}
	return files;
}
