/**
 * The figures the budget guards, in bytes as served: a citizen's first visit to the home
 * page, what the service worker installs, and the QR decoder `/verify` loads on first use.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
	buildFiles,
	moduleFiles,
	outsideCitizenFiles,
	routeFiles,
	type ViteManifest
} from './chunk-graph';
import { addressOf } from '../citizen-app.ts';
import type { ClientBuild } from './client-build';
import { servedSize, type ServedSize } from './served-size';

export interface FileCost extends ServedSize {
	/** The path under the build, as the browser asks for it without its leading slash. */
	file: string;
	/** A name that survives rebuilds (chunk names carry no hash), to compare with the baseline. */
	label: string;
}

export interface Figure {
	bytes: number;
	files: FileCost[];
}

export interface Figures {
	firstVisit: Figure;
	precache: Figure;
	/**
	 * The ZXing WebAssembly decoder: what `/verify` fetches the first time it reads a photo or
	 * the camera on a browser with no BarcodeDetector. In neither figure above, so on its own.
	 */
	qrDecoder: Figure;
}

/** The module `/verify` imports on first use to read QR codes (its manifest key). */
export const QR_DECODER_MODULE = 'app/routes/(citizen)/verify/zxing.ts';

/** The page every address opens: adapter-static's SPA fallback. */
export const HOME_PAGE = 'index.html';
const SERVICE_WORKER = 'service-worker.js';

/** `_app/immutable/chunks/Bww1XMGu.js` → its chunk's name; `0.BoGfN1Bc.css` → `0.css`. */
function labeller(manifest: ViteManifest): (file: string) => string {
	const names = new Map<string, string>();
	for (const chunk of Object.values(manifest)) if (chunk.name) names.set(chunk.file, chunk.name);
	return (file) => {
		const named = names.get(file);
		if (named) return named;
		if (!file.startsWith('_app/')) return file;
		return file.replace(/^.*\//, '').replace(/\.[\w-]{8}(\.\w+)$/, '$1');
	};
}

/** The static files (`static/`, copied into the build) the worker's `files` list names. */
function staticFiles(dir: string): string[] {
	const found: string[] = [];
	const walk = (folder: string) => {
		for (const entry of readdirSync(folder, { withFileTypes: true })) {
			const path = join(folder, entry.name);
			if (entry.isDirectory()) {
				if (path !== join(dir, '_app')) walk(path);
			} else if (!/\.(br|gz)$/.test(entry.name)) {
				found.push(relative(dir, path));
			}
		}
	};
	walk(dir);
	return found.filter((file) => file !== HOME_PAGE && file !== SERVICE_WORKER);
}

/** What `files` of the build weigh as served, heaviest first. */
export function costs(build: ClientBuild, files: Iterable<string>): Figure {
	const label = labeller(build.manifest);
	const each = [...new Set(files)]
		.map((file) => ({ file, label: label(file), ...servedSize(build.dir, file) }))
		.sort((a, b) => b.bytes - a.bytes);
	return { bytes: each.reduce((sum, cost) => sum + cost.bytes, 0), files: each };
}

/** Measures a build. The home page is route `/`. */
export function measure(build: ClientBuild): Figures {
	const home = build.routes.find((route) => addressOf(route.id) === '/');
	if (!home) throw new Error('the build has no home page (route /)');
	const outside = outsideCitizenFiles(build.manifest, build.routes);
	const precached = [...buildFiles(build.manifest)].filter((file) => !outside.has(file));
	return {
		firstVisit: costs(build, [HOME_PAGE, ...routeFiles(build.manifest, home)]),
		precache: costs(build, [...precached, ...staticFiles(build.dir), HOME_PAGE, SERVICE_WORKER]),
		// What the install already holds costs the decoder nothing more.
		qrDecoder: costs(
			build,
			build.manifest[QR_DECODER_MODULE]
				? [...moduleFiles(build.manifest, QR_DECODER_MODULE)].filter((f) => outside.has(f))
				: []
		)
	};
}
