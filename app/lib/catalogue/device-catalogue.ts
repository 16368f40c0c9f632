/**
 * The service catalogue on the device: the one the server last published, kept in
 * IndexedDB, or the one this app was built with until the server has been reached. The
 * bundled one is what makes the very first offline start work, from the precached shell.
 */
import * as v from 'valibot';
import { Header, PROTOCOL_VERSION, ServicesResponse } from '../../../shared/protocol';
import { currentServices, SERVICES } from '../../../shared/services/catalog';
import type { ServiceDefinition } from '../../../shared/services/definition';
import { defineCatalogue } from '../../../shared/services/definition-schema';
import type { DalaDatabase, StoredCatalogue } from '../db/database';

const KEY = 'published';
// A catalogue is a few tens of kilobytes gzipped: on 2G that is seconds, not minutes.
const REQUEST_TIMEOUT_MS = 30_000;

/** Reads the stored catalogue, if the server has ever been reached. */
export function storedCatalogue(db: DalaDatabase): Promise<StoredCatalogue | undefined> {
	return db.catalogue.get(KEY);
}

// Definitions derived once per stored row: liveQuery hands every reader the same object.
const derived = new WeakMap<StoredCatalogue, readonly ServiceDefinition[]>();

/** Every version of every service the device goes by: the stored catalogue, else the bundled. */
export function servicesOf(stored: StoredCatalogue | undefined): readonly ServiceDefinition[] {
	if (!stored) return SERVICES;
	let services = derived.get(stored);
	if (!services) derived.set(stored, (services = defineCatalogue(stored.services)));
	return services;
}

/**
 * The definition of `id` at `version` by the device's catalogue. A version the server does
 * not publish but this app was built with (the server rolled back, or dropped a long-retired
 * version) is still found, so what was made on it can be shown, but marked unsupported:
 * the server would refuse anything new sent on it.
 */
export function findIn(
	stored: StoredCatalogue | undefined,
	id: string,
	version: number
): ServiceDefinition | undefined {
	const find = (services: readonly ServiceDefinition[]) =>
		services.find((s) => s.id === id && s.version === version);
	const found = find(servicesOf(stored));
	if (found || !stored) return found;
	const bundled = find(SERVICES);
	return bundled && { ...bundled, supported: false };
}

/** `findIn` on the catalogue stored in `db` right now. */
export async function findDeviceService(
	db: DalaDatabase,
	id: string,
	version: number
): Promise<ServiceDefinition | undefined> {
	return findIn(await storedCatalogue(db), id, version);
}

/** What the device offers right now: the newest supported version of each service. */
export async function currentDeviceServices(db: DalaDatabase): Promise<ServiceDefinition[]> {
	return currentServices(servicesOf(await storedCatalogue(db)));
}

export interface RefreshOptions {
	/** The server's origin; the page's own by default. */
	baseUrl?: string;
	fetch?: (url: string, init: RequestInit) => Promise<Response>;
	now?: () => number;
}

/** What a refresh did: stored a new catalogue, confirmed the stored one, or nothing. */
export type RefreshOutcome = 'updated' | 'current' | 'failed';

/**
 * Asks the server for its catalogue, sending the stored ETag, and keeps what it answers.
 * Never throws: offline, a server error, an app too old for the server (426) or a body
 * that does not parse all leave the stored catalogue as it was, and the next sync tries
 * again. The sync status already tells the person about the network and updates.
 */
export async function refreshCatalogue(
	db: DalaDatabase,
	{ baseUrl = '', fetch = globalThis.fetch.bind(globalThis), now = Date.now }: RefreshOptions = {}
): Promise<RefreshOutcome> {
	try {
		const stored = await storedCatalogue(db);
		const headers: Record<string, string> = { [Header.protocol]: String(PROTOCOL_VERSION) };
		if (stored) headers['If-None-Match'] = stored.etag;
		const response = await fetch(`${baseUrl}/api/services`, {
			headers,
			// The copy that matters is the one in IndexedDB; with a conditional request the
			// browser hands the 304 to us instead of answering from its own cache.
			cache: 'no-store',
			signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
		});
		if (response.status === 304 && stored) {
			await db.catalogue.update(KEY, { checkedAt: now() });
			return 'current';
		}
		const etag = response.headers.get('ETag');
		if (response.status !== 200 || !etag) return 'failed';
		const parsed = v.safeParse(ServicesResponse, await response.json());
		if (!parsed.success) return 'failed';
		const at = now();
		await db.catalogue.put({
			key: KEY,
			services: parsed.output.services,
			etag,
			fetchedAt: at,
			checkedAt: at
		});
		return 'updated';
	} catch {
		return 'failed';
	}
}
