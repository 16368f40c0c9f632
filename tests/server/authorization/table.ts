/**
 * THE authorization table: every endpoint × every actor (actors.ts) × whose record it
 * names (world.ts) → what the server must answer. authorization-matrix.test.ts turns each
 * cell into a test, and fails when the app registers a route no row names.
 *
 * Three kinds of answer:
 * - `refused`: that status and error code, and nothing written anywhere;
 * - `served`: that status, and the row's `effect` shows the actor got what it asked for;
 * - `withheld`: answered, but the record is neither shown nor changed (a push that
 *   answers `rejected not_found` for another owner's application, a pull without it); the
 *   record's owner's rows are checked unchanged, and the row's `effect` looks closer.
 */
import { expect } from 'vitest';
import { ApplicationStatus } from '../../../shared/status';
import { amend, pullAll, storedApplication, type Answer } from '../helpers';
import { ACTORS, type Actor, type RequestSpec } from './actors';
import { deviceOf, type Holdings, type Person, type World } from './world';
import { eq } from 'drizzle-orm';
import { devices } from '../../../sync-server/db/schema';

export type Expect =
	| { outcome: 'refused'; status: number; code: string }
	| { outcome: 'served' | 'withheld'; status: number };

export const refused = (status: number, code: string): Expect => ({
	outcome: 'refused',
	status,
	code
});
export const served = (status = 200): Expect => ({ outcome: 'served', status });
export const withheld = (status = 200): Expect => ({ outcome: 'withheld', status });

/** What one cell sees after its request: for a row's `effect` to check. */
export interface Cell {
	world: World;
	actor: Actor;
	/** The holdings of the person whose record the request named, if it named one. */
	record?: Holdings;
	expected: Expect;
	res: Answer;
}

/** Per person, when the answer depends on whose record it is. */
type ByRecord = Record<Person, Expect>;

export interface Row {
	/** The route as `app.routes` lists it: method and path pattern. */
	route: string;
	/** What is asked, when one route serves more than one thing (tus HEAD beside GET). */
	name: string;
	/** True when the request names a record: the row then runs once per person. */
	namesRecord: boolean;
	request(world: World, record: Holdings | undefined): RequestSpec | Promise<RequestSpec>;
	expect: Record<Actor, Expect | ByRecord>;
	/**
	 * The tables (and "uploads", the store) a served or withheld request may change; any
	 * other change fails the cell. Omitted: it changes nothing.
	 */
	writes?: string[];
	/** Checks the effect of a served or withheld request, beyond its status. */
	effect?(cell: Cell): Promise<void> | void;
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const jsonRequest = (method: string, path: string, body: unknown): RequestSpec => ({
	method,
	path,
	headers: { 'Content-Type': 'application/json' },
	body: json(body),
	signs: 'body'
});
const tusRequest = (method: string, path: string, headers: Record<string, string> = {}) =>
	({ method, path, headers: { 'Tus-Resumable': '1.0.0', ...headers }, signs: 'tus' }) as const;

/** Every actor gets the same answer. */
const everyone = (expected: Expect) =>
	Object.fromEntries(ACTORS.map((actor) => [actor, expected])) as Record<Actor, Expect>;

/** A registered device's own records, and nobody else's. */
const ownOnly = (person: Person, status: number, other: Expect): ByRecord =>
	person === 'alice'
		? { alice: served(status), bob: other }
		: { alice: other, bob: served(status) };

/**
 * How every signed device endpoint refuses those that are not a registered device signing
 * this very request: in this order, before reading anything else (device-auth.ts).
 */
const notADevice = {
	nobody: refused(400, 'missing_device'),
	unknownDevice: refused(401, 'unknown_device'),
	forged: refused(401, 'bad_signature'),
	tampered: refused(401, 'bad_signature'),
	reviewer: refused(400, 'missing_device'),
	wrongToken: refused(400, 'missing_device')
} satisfies Partial<Record<Actor, Expect>>;

export const table: Row[] = [
	{
		route: 'GET /api/health',
		name: 'health',
		namesRecord: false,
		request: () => ({ method: 'GET', path: '/api/health', signs: 'body' }),
		expect: everyone(served()),
		effect: ({ res }) => expect(res.json.status).toBe('ok')
	},
	{
		route: 'GET /api/services',
		name: 'catalogue',
		namesRecord: false,
		request: () => ({ method: 'GET', path: '/api/services', signs: 'body' }),
		expect: everyone(served()),
		effect: ({ res }) => expect(res.json.services.length).toBeGreaterThan(0)
	},
	{
		route: 'POST /api/sync/register',
		// Unsigned by design; a device header, when sent, must be the key's thumbprint.
		name: 'register the unknown device’s key',
		writes: ['devices'],
		namesRecord: false,
		request: (world) =>
			jsonRequest('POST', '/api/sync/register', { publicKey: world.unknownDevice.publicKey }),
		expect: {
			...everyone(refused(400, 'invalid_body')),
			nobody: served(),
			unknownDevice: served(),
			reviewer: served(),
			wrongToken: served()
		},
		effect: ({ res, world }) => expect(res.json.deviceId).toBe(world.unknownDevice.id)
	},
	{
		route: 'POST /api/sync/link/offer',
		name: 'offer a link code',
		namesRecord: false,
		request: () => jsonRequest('POST', '/api/sync/link/offer', {}),
		expect: {
			...notADevice,
			alice: served(),
			aliceSecondDevice: served(),
			bob: served(),
			revokedDevice: served()
		},
		writes: ['link_offers'],
		effect: ({ res }) => expect(res.json.code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/)
	},
	{
		route: 'POST /api/sync/link/accept',
		// Whoever holds a live code joins its owner: that is what a code is for.
		name: 'accept a link code',
		writes: ['applications', 'devices', 'files', 'link_offers'],
		namesRecord: true,
		request: (_, record) =>
			jsonRequest('POST', '/api/sync/link/accept', { code: record!.linkCode }),
		expect: {
			...notADevice,
			alice: served(),
			aliceSecondDevice: served(),
			bob: served(),
			revokedDevice: served()
		},
		effect: async ({ res, world, actor, record }) => {
			const device = deviceOf(world, actor)!;
			const [row] = await world.db
				.select({ ownerId: devices.ownerId })
				.from(devices)
				.where(eq(devices.id, device.id));
			expect(row?.ownerId).toBe(record!.ownerId);
			// The devices of both owners: Alice has two (the revoked one is nobody's), Bob one,
			// and accepting one's own code changes nothing.
			const own = { alice: 2, aliceSecondDevice: 2, bob: 1, revokedDevice: 1 }[
				actor as 'alice' | 'aliceSecondDevice' | 'bob' | 'revokedDevice'
			];
			const joined = record === world.alice ? 2 : 1;
			const same =
				(record === world.alice) === (actor === 'alice' || actor === 'aliceSecondDevice') &&
				actor !== 'revokedDevice';
			expect(res.json.devices).toBe(same ? joined : own + joined);
		}
	},
	{
		route: 'POST /api/sync/push',
		name: 'amend an application',
		writes: ['applications', 'devices', 'mutations'],
		namesRecord: true,
		request: (_, record) =>
			jsonRequest('POST', '/api/sync/push', {
				mutations: [amend(record!.applicationId, 1, { seq: 1000 })]
			}),
		expect: {
			...notADevice,
			alice: ownOnly('alice', 200, withheld()),
			aliceSecondDevice: ownOnly('alice', 200, withheld()),
			bob: ownOnly('bob', 200, withheld()),
			revokedDevice: withheld()
		},
		effect: async ({ res, world, record, expected }) => {
			const [result] = res.json.results;
			const stored = await storedApplication(world.db, record!.applicationId);
			if (expected.outcome === 'served') {
				expect(result).toMatchObject({ status: 'applied', application: { version: 2 } });
				expect(stored?.answers.businessName).toBe('IE Seitkali and Sons');
			} else {
				// The same answer as for an id nobody has: nothing says it exists.
				expect(result).toMatchObject({ status: 'rejected', code: 'not_found' });
				expect(stored?.version).toBe(1);
			}
		}
	},
	{
		route: 'GET /api/sync/pull',
		name: 'pull the feed',
		namesRecord: true,
		request: async (world) => {
			// Another suite's open transaction on a shared PostgreSQL holds the feed back.
			await pullAll(world.app, world.db, world.alice.device);
			return { method: 'GET', path: '/api/sync/pull', signs: 'body' };
		},
		expect: {
			...notADevice,
			alice: ownOnly('alice', 200, withheld()),
			aliceSecondDevice: ownOnly('alice', 200, withheld()),
			bob: ownOnly('bob', 200, withheld()),
			revokedDevice: withheld()
		},
		effect: ({ res, record, expected }) => {
			const ids = res.json.changes.map((change: { id: string }) => change.id);
			if (expected.outcome === 'served') expect(ids).toContain(record!.applicationId);
			else expect(ids).not.toContain(record!.applicationId);
		}
	},
	{
		route: 'POST /api/review/applications/:id/decision',
		// One shared token, no regions yet: the token decides on any application.
		name: 'decide on an application',
		writes: ['applications', 'audit_log'],
		namesRecord: true,
		request: (_, record) =>
			jsonRequest('POST', `/api/review/applications/${record!.applicationId}/decision`, {
				status: ApplicationStatus.inReview,
				baseVersion: 1
			}),
		expect: { ...everyone(refused(401, 'unauthorized')), reviewer: served() },
		effect: async ({ world, record }) => {
			const stored = await storedApplication(world.db, record!.applicationId);
			expect(stored).toMatchObject({ status: ApplicationStatus.inReview, version: 2 });
		}
	},
	{
		route: 'POST /api/files',
		name: 'create an upload',
		// The upload, and its place in the device's quota of unfinished ones.
		writes: ['unfinished_uploads', 'uploads'],
		namesRecord: false,
		request: () =>
			tusRequest('POST', '/api/files', {
				'Upload-Length': '100',
				'Upload-Metadata': `sha256 ${Buffer.from('a'.repeat(64)).toString('base64')},type ${Buffer.from('image/png').toString('base64')}`
			}),
		expect: {
			...notADevice,
			alice: served(201),
			aliceSecondDevice: served(201),
			bob: served(201),
			revokedDevice: served(201)
		},
		effect: ({ res }) => expect(res.headers.get('Location')).toMatch(/^\/api\/files\/[0-9a-f]{32}$/)
	},
	{
		route: 'PATCH /api/files/:id',
		// An upload is its device's alone: not even the owner's other device may append.
		name: 'append to an upload',
		writes: ['uploads'],
		namesRecord: true,
		request: (_, record) =>
			({
				...tusRequest('PATCH', record!.uploadPath, {
					'Upload-Offset': '0',
					'Content-Type': 'application/offset+octet-stream'
				}),
				body: new Uint8Array([0xff, 0xd8, 0xff, 0xe0])
			}) satisfies RequestSpec,
		expect: {
			...notADevice,
			alice: ownOnly('alice', 204, refused(404, 'not_found')),
			aliceSecondDevice: refused(404, 'not_found'),
			bob: ownOnly('bob', 204, refused(404, 'not_found')),
			revokedDevice: refused(404, 'not_found')
		},
		effect: ({ res }) => expect(res.headers.get('Upload-Offset')).toBe('4')
	},
	{
		route: 'GET /api/files/:key',
		name: 'resume an upload (HEAD)',
		namesRecord: true,
		request: (_, record) => tusRequest('HEAD', record!.uploadPath),
		expect: {
			...notADevice,
			alice: ownOnly('alice', 200, refused(404, 'not_found')),
			aliceSecondDevice: refused(404, 'not_found'),
			bob: ownOnly('bob', 200, refused(404, 'not_found')),
			revokedDevice: refused(404, 'not_found')
		},
		effect: ({ res }) => expect(res.headers.get('Upload-Offset')).toBe('0')
	},
	{
		route: 'DELETE /api/files/:id',
		name: 'cancel an upload',
		writes: ['unfinished_uploads', 'uploads'],
		namesRecord: true,
		request: (_, record) => tusRequest('DELETE', record!.uploadPath),
		expect: {
			...notADevice,
			alice: ownOnly('alice', 204, refused(404, 'not_found')),
			aliceSecondDevice: refused(404, 'not_found'),
			bob: ownOnly('bob', 204, refused(404, 'not_found')),
			revokedDevice: refused(404, 'not_found')
		}
	},
	{
		route: 'GET /api/files/:key',
		// Files are the owner's: every device of the owner may ask.
		name: 'ask whether a file arrived',
		namesRecord: true,
		request: (_, record) => tusRequest('GET', `/api/files/${record!.fileSha256}`),
		expect: {
			...notADevice,
			alice: ownOnly('alice', 200, refused(404, 'not_found')),
			aliceSecondDevice: ownOnly('alice', 200, refused(404, 'not_found')),
			bob: ownOnly('bob', 200, refused(404, 'not_found')),
			revokedDevice: refused(404, 'not_found')
		},
		effect: ({ res, record }) =>
			expect(res.json).toMatchObject({ sha256: record!.fileSha256, verified: true })
	}
];
