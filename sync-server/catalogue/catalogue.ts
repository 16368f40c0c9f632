import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as v from 'valibot';
import { findService, SERVICES } from '../../shared/services/catalog';
import type { ServiceDefinition, ServiceSpec } from '../../shared/services/definition';
import {
	defineCatalogue,
	ServiceCatalogueSchema,
	specOf
} from '../../shared/services/definition-schema';

/**
 * The services this server accepts submissions for and publishes at `GET /api/services`:
 * every version, retired ones included. Made once at start-up and never changed, so the
 * body and its ETag are worked out once (and compressed once) rather than per request.
 */
export interface Catalogue {
	readonly services: readonly ServiceDefinition[];
	/** The definition of `id` at `version` (any version when omitted), or undefined. */
	find(id: string, version?: number): ServiceDefinition | undefined;
	/** The published JSON, as identity and gzip bytes, with a strong ETag for each. */
	readonly published: {
		json: Uint8Array<ArrayBuffer>;
		gzip: Uint8Array<ArrayBuffer>;
		/** `"<base64url SHA-256 of json>"`. */
		etag: string;
		/** The same hash marked as the gzip coding: a strong ETag names one byte sequence. */
		gzipEtag: string;
	};
}

/** A catalogue of the given definitions, in their order. */
export function createCatalogue(services: readonly ServiceDefinition[]): Catalogue {
	// The shape of ServicesResponse (shared/protocol.ts), which the device parses it with.
	const body = { services: services.map(specOf) };
	const json = new TextEncoder().encode(JSON.stringify(body));
	const hash = createHash('sha256').update(json).digest('base64url');
	return {
		services,
		find: (id, version) => findService(id, version, services),
		published: {
			json,
			// Level 9 once at start-up: every device downloads it, on metered data.
			gzip: new Uint8Array(gzipSync(json, { level: 9 })),
			etag: `"${hash}"`,
			gzipEtag: `"${hash}-gzip"`
		}
	};
}

/** The definitions this release was built with (shared/services/catalog.ts). */
export const bundledCatalogue: Catalogue = createCatalogue(SERVICES);

/**
 * Parses the text of a catalogue file: a JSON array of service specs. Throws an Error
 * naming the file and every problem found, for the start-up log.
 */
export function parseCatalogue(text: string, source: string): Catalogue {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (error) {
		throw new Error(`${source} is not JSON: ${error instanceof Error ? error.message : error}`, {
			cause: error
		});
	}
	const parsed = v.safeParse(ServiceCatalogueSchema, json);
	if (!parsed.success) {
		const problems = parsed.issues.map((issue) => {
			const path = v.getDotPath(issue);
			return path ? `${path}: ${issue.message}` : issue.message;
		});
		throw new Error(
			`${source} is not a valid service catalogue:\n  ${problems.slice(0, 20).join('\n  ')}` +
				(problems.length > 20 ? `\n  … and ${problems.length - 20} more` : '')
		);
	}
	return createCatalogue(defineCatalogue(parsed.output satisfies ServiceSpec[]));
}

/**
 * The catalogue named by `DALA_SERVICES` (a path to a JSON array of service specs), or
 * the bundled one when it is unset. A file that cannot be read or is not a valid
 * catalogue stops the server from starting: serving a half-understood catalogue would
 * refuse or accept the wrong applications.
 */
export async function catalogueFromEnv(
	env: Record<string, string | undefined>
): Promise<{ catalogue: Catalogue; source: string }> {
	const file = env.DALA_SERVICES;
	if (!file) return { catalogue: bundledCatalogue, source: 'bundled' };
	const path = resolve(file);
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		throw new Error(
			`DALA_SERVICES names ${path}, which cannot be read: ` +
				(error instanceof Error ? error.message : String(error)),
			{ cause: error }
		);
	}
	return { catalogue: parseCatalogue(text, `DALA_SERVICES file ${path}`), source: path };
}
