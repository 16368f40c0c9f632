import 'fake-indexeddb/auto';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
	currentDeviceServices,
	findDeviceService,
	refreshCatalogue,
	servicesOf,
	storedCatalogue
} from '../../app/lib/catalogue/device-catalogue';
import { openDatabase, type DalaDatabase } from '../../app/lib/db/database';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { currentServices, SERVICES } from '../../shared/services/catalog';
import { birthRegistration } from '../../shared/services/birth-registration';
import { createCatalogue, type Catalogue } from '../../sync-server/catalogue/catalogue';
import { serviceRoutes } from '../../sync-server/catalogue/routes';

/** The next release: birth registration v2; entrepreneur v1 no longer published at all. */
const NEXT = createCatalogue([
	...SERVICES.filter(
		(s) => s.id !== 'birth-registration' && !(s.id === 'individual-entrepreneur' && s.version === 1)
	),
	{ ...birthRegistration, supported: false },
	{ ...birthRegistration, version: 2 }
]);

let db: DalaDatabase;
let n = 0;
let server: Catalogue;
let requests: Request[];
let now: number;

/** The real route, as the device's fetch: only the catalogue differs from production. */
function fetchFromServer(url: string, init: RequestInit): Promise<Response> {
	const request = new Request(new URL(url, 'http://dala.test'), init);
	requests.push(request.clone());
	return Promise.resolve(new Hono().route('/api/services', serviceRoutes(server)).request(request));
}
const refresh = () => refreshCatalogue(db, { fetch: fetchFromServer, now: () => now });

beforeEach(async () => {
	db = openDatabase(`catalogue-test-${n++}`);
	await db.open();
	server = createCatalogue(SERVICES);
	requests = [];
	now = 1_000;
});
afterEach(async () => {
	await db.delete();
});

describe('the catalogue on the device', () => {
	it('is the bundled one until the server has been reached', async () => {
		expect(await storedCatalogue(db)).toBeUndefined();
		expect(servicesOf(undefined)).toBe(SERVICES);
		expect(await findDeviceService(db, 'birth-registration', 1)).toBe(birthRegistration);
		expect(await findDeviceService(db, 'birth-registration', 2)).toBeUndefined();
	});

	it('keeps what the server publishes, with its ETag, and then goes by it', async () => {
		server = NEXT;
		expect(await refresh()).toBe('updated');
		expect(requests[0]!.headers.get('If-None-Match')).toBeNull();
		expect(requests[0]!.headers.get('Dala-Protocol')).toBe(String(PROTOCOL_VERSION));
		const stored = (await storedCatalogue(db))!;
		expect(stored).toMatchObject({ etag: NEXT.published.etag, fetchedAt: 1_000, checkedAt: 1_000 });

		const services = servicesOf(stored);
		expect(services).toEqual(NEXT.services);
		expect(currentServices(services).find((s) => s.id === 'birth-registration')?.version).toBe(2);
		expect(await findDeviceService(db, 'birth-registration', 2)).toEqual(
			NEXT.find('birth-registration', 2)
		);
		expect(await findDeviceService(db, 'birth-registration', 1)).toMatchObject({
			supported: false
		});
		expect(
			(await currentDeviceServices(db)).find((s) => s.id === 'birth-registration')?.version
		).toBe(2);
		// Built into this app but no longer published: found, so its drafts and applications
		// can be shown, but never offered as supported.
		expect(await findDeviceService(db, 'individual-entrepreneur', 1)).toMatchObject({
			id: 'individual-entrepreneur',
			version: 1,
			supported: false
		});
	});

	it('asks again with If-None-Match, and a 304 only notes the time', async () => {
		await refresh();
		now = 2_000;
		expect(await refresh()).toBe('current');
		expect(requests[1]!.headers.get('If-None-Match')).toBe(server.published.etag);
		expect(await storedCatalogue(db)).toMatchObject({ fetchedAt: 1_000, checkedAt: 2_000 });

		server = NEXT;
		now = 3_000;
		expect(await refresh()).toBe('updated');
		expect(await storedCatalogue(db)).toMatchObject({
			etag: NEXT.published.etag,
			fetchedAt: 3_000
		});
	});

	it('keeps the stored catalogue when the server cannot be reached or answers nonsense', async () => {
		await refresh();
		const before = await storedCatalogue(db);
		const answers: (() => Promise<Response>)[] = [
			() => Promise.reject(new TypeError('Failed to fetch')),
			() => Promise.resolve(new Response('{}', { status: 500 })),
			() => Promise.resolve(new Response('{}', { status: 426 })),
			() =>
				Promise.resolve(
					new Response(JSON.stringify({ services: [{ id: 'x' }] }), {
						headers: { ETag: '"x"' }
					})
				),
			() => Promise.resolve(new Response('not json', { headers: { ETag: '"y"' } }))
		];
		for (const answer of answers) {
			expect(await refreshCatalogue(db, { fetch: answer })).toBe('failed');
		}
		expect(await storedCatalogue(db)).toEqual(before);
	});
});
