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
 *
 * What may be written is the row's `writes`: a served or withheld cell may change those
 * tables and no other; a refused one nothing but bookkeeping (snapshot.ts).
 */
import { eq, inArray } from 'drizzle-orm';
import { expect } from 'vitest';
import { ApplicationStatus } from '../../../shared/status';
import { accounts, applications, devices } from '../../../sync-server/db/schema';
import {
	amend,
	pullAll,
	storedApplication,
	unregisteredDevice,
	validIin,
	type Answer
} from '../helpers';
import {
	ACTORS,
	SIGNS_AS,
	type Actor,
	type DeviceActor,
	type RequestSpec,
	type SignedInActor,
	type StaffActor,
	STAFF
} from './actors';
import {
	currentTotp,
	ALICE_REGION as ALICE,
	BOB_REGION as BOB,
	deviceOf,
	NATIONAL,
	newcomer,
	renewChallenge,
	renewUpload,
	resignIn,
	STAFF_PASSWORD,
	staffSigner,
	syncing,
	type Holdings,
	type Person,
	type World
} from './world';

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
	/**
	 * After a cell that wrote, puts back what it used up (a spent code, a rotated token, an
	 * upload appended to), so the next cell finds the world as world.ts describes it and no
	 * new world is made; false when it cannot (a new world is then made). A row without it
	 * gets a new world after every cell that wrote: rows whose writes change what other
	 * cells ask about (a device moved, a decision).
	 */
	renew?(cell: Cell): Promise<void | false> | void | false;
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
	bearerOnly: refused(400, 'missing_device')
} satisfies Partial<Record<Actor, Expect>>;

/**
 * An endpoint that asks for a signing device and no session: each device actor's answer,
 * and every other signing actor answered as the device it signs with (SIGNS_AS), whatever
 * session it shows.
 */
function deviceEndpoint(
	columns: Record<DeviceActor, Expect | ByRecord>
): Record<Actor, Expect | ByRecord> {
	const alike = Object.fromEntries(
		Object.entries(SIGNS_AS).map(([actor, like]) => [actor, columns[like]])
	) as Record<keyof typeof SIGNS_AS, Expect | ByRecord>;
	return { ...notADevice, ...columns, ...alike };
}

/** Every registered device is answered alike. */
const anyDevice = (expected: Expect) =>
	deviceEndpoint({
		alice: expected,
		aliceSecondDevice: expected,
		bob: expected,
		revokedDevice: expected
	});

/**
 * An endpoint for a signed-in account (accounts/sessions.ts): the device first, then a
 * live session issued to this very device. No session, an ended one (signed out) and
 * one shown by another device are refused alike; an expired one says so, so the app
 * refreshes it.
 */
function sessionEndpoint(
	columns: Record<SignedInActor, Expect | ByRecord>
): Record<Actor, Expect | ByRecord> {
	const none = refused(401, 'session_invalid');
	return {
		...notADevice,
		alice: none,
		aliceSecondDevice: none,
		bob: none,
		revokedDevice: none,
		anonymous: none,
		signedOut: none,
		stolenSession: none,
		expiredSession: refused(401, 'session_expired'),
		revokedSession: refused(401, 'device_revoked'),
		...columns
	};
}

/**
 * A sync endpoint (push, pull, uploads; protocol 3): a session endpoint whose records are
 * the device owner's. Citizens see their own; staff are signed in on devices that hold
 * none.
 */
function syncEndpoint(columns: {
	citizenA: Expect | ByRecord;
	citizenB: Expect | ByRecord;
	staff: Expect | ByRecord;
}): Record<Actor, Expect | ByRecord> {
	const staff = Object.fromEntries(STAFF.map((actor) => [actor, columns.staff])) as Record<
		StaffActor,
		Expect | ByRecord
	>;
	return sessionEndpoint({ citizenA: columns.citizenA, citizenB: columns.citizenB, ...staff });
}

/** The role each signed-in actor's account has. */
const ROLE_OF: Record<SignedInActor, string> = {
	citizenA: 'citizen',
	citizenB: 'citizen',
	officer: 'officer',
	regionReviewer: 'reviewer',
	otherReviewer: 'reviewer',
	nationalReviewer: 'reviewer',
	administrator: 'administrator'
};

// Seqs above any a device recorded: each push is a new change, whichever device sent the last.
let seq = 1_000;

/** The version the record's application has now (served cells before may have moved it). */
async function versionOf(world: World, record: Holdings): Promise<number> {
	return (await storedApplication(world.db, record.applicationId))!.version;
}

async function ownerOf(world: World, deviceId: string) {
	const [row] = await world.db
		.select({ ownerId: devices.ownerId })
		.from(devices)
		.where(eq(devices.id, deviceId));
	return row?.ownerId;
}

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
		route: 'GET /api/documents/keys',
		// Public by design: anyone checking a document needs the keys, and they are public keys.
		name: 'trust list',
		namesRecord: false,
		request: () => ({ method: 'GET', path: '/api/documents/keys', signs: 'body' }),
		expect: everyone(served()),
		effect: ({ res }) => expect(Array.isArray(res.json.keys)).toBe(true)
	},
	{
		route: 'GET /api/documents/revoked',
		// Public by design: a signed list of serials, which says nothing of whose they are.
		name: 'revocation list',
		namesRecord: false,
		request: () => ({ method: 'GET', path: '/api/documents/revoked', signs: 'body' }),
		expect: everyone(served()),
		effect: ({ res }) => expect(typeof res.json.list).toBe('string')
	},
	{
		route: 'GET /api/documents/check',
		// Public by design: found only by the number and the IIN printed on the paper together.
		name: 'check a document by number and IIN',
		namesRecord: false,
		request: () => ({
			method: 'GET',
			path: '/api/documents/check?number=DLD-0000001&iin=900101300007',
			signs: 'body'
		}),
		// No such document here: the server tests (documents.test.ts) find real ones.
		expect: everyone(refused(404, 'not_found'))
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
			bearerOnly: served()
		},
		effect: ({ res, world }) => expect(res.json.deviceId).toBe(world.unknownDevice.id),
		// The world's unknown device is one nobody registered.
		renew: async ({ world }) => void (world.unknownDevice = await unregisteredDevice())
	},
	{
		route: 'POST /api/sync/link/offer',
		// Linking by code is retired: a second phone signs in. Every caller hears so.
		name: 'offer a link code (retired)',
		namesRecord: false,
		request: () => jsonRequest('POST', '/api/sync/link/offer', {}),
		expect: everyone(refused(410, 'link_retired'))
	},
	{
		route: 'POST /api/sync/link/accept',
		name: 'accept a link code (retired)',
		namesRecord: false,
		request: () => jsonRequest('POST', '/api/sync/link/accept', { code: 'AAAAA-AAAAA' }),
		expect: everyone(refused(410, 'link_retired'))
	},
	{
		route: 'POST /api/sync/push',
		name: 'amend an application',
		writes: ['application_history', 'applications', 'devices', 'mutations'],
		namesRecord: true,
		request: async (world, record) =>
			jsonRequest('POST', '/api/sync/push', {
				mutations: [amend(record!.applicationId, await versionOf(world, record!), { seq: seq++ })]
			}),
		expect: syncEndpoint({
			citizenA: ownOnly('alice', 200, withheld()),
			citizenB: ownOnly('bob', 200, withheld()),
			staff: withheld()
		}),
		effect: async ({ res, world, record, expected }) => {
			const [result] = res.json.results;
			if (expected.outcome === 'served') {
				const stored = await storedApplication(world.db, record!.applicationId);
				expect(result).toMatchObject({
					status: 'applied',
					application: { version: stored!.version }
				});
				expect(stored?.answers.businessName).toBe('IE Seitkali and Sons');
			} else {
				// The same answer as for an id nobody has: nothing says it exists.
				expect(result).toMatchObject({ status: 'rejected', code: 'not_found' });
			}
		},
		// Each amend is made on the version there is now, with a seq above any recorded. An
		// amend sets the region from the answers again (none in entrepreneur v1's): the
		// world's is put back.
		renew: async ({ world, record }) => {
			await world.db
				.update(applications)
				.set({ region: record!.region })
				.where(eq(applications.id, record!.applicationId));
		}
	},
	{
		route: 'GET /api/sync/pull',
		name: 'pull the feed',
		namesRecord: true,
		request: async (world) => {
			// Another suite's open transaction on a shared PostgreSQL holds the feed back.
			await pullAll(world.app, world.db, syncing(world.alice));
			return { method: 'GET', path: '/api/sync/pull', signs: 'body' };
		},
		expect: syncEndpoint({
			citizenA: ownOnly('alice', 200, withheld()),
			citizenB: ownOnly('bob', 200, withheld()),
			staff: withheld()
		}),
		effect: ({ res, record, expected }) => {
			const ids = res.json.changes.map((change: { id: string }) => change.id);
			if (expected.outcome === 'served') expect(ids).toContain(record!.applicationId);
			else expect(ids).not.toContain(record!.applicationId);
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
		expect: syncEndpoint({
			citizenA: served(201),
			citizenB: served(201),
			staff: served(201)
		}),
		effect: ({ res }) =>
			expect(res.headers.get('Location')).toMatch(/^\/api\/files\/[0-9a-f]{32}$/),
		// A new upload of the actor's own, far below the quota: no cell asks about it.
		renew: () => {}
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
		expect: syncEndpoint({
			citizenA: ownOnly('alice', 204, refused(404, 'not_found')),
			citizenB: ownOnly('bob', 204, refused(404, 'not_found')),
			staff: refused(404, 'not_found')
		}),
		effect: ({ res }) => expect(res.headers.get('Upload-Offset')).toBe('4'),
		renew: ({ world, record }) => renewUpload(world, record!)
	},
	{
		route: 'GET /api/files/:key',
		name: 'resume an upload (HEAD)',
		namesRecord: true,
		request: (_, record) => tusRequest('HEAD', record!.uploadPath),
		expect: syncEndpoint({
			citizenA: ownOnly('alice', 200, refused(404, 'not_found')),
			citizenB: ownOnly('bob', 200, refused(404, 'not_found')),
			staff: refused(404, 'not_found')
		}),
		effect: ({ res }) => expect(res.headers.get('Upload-Offset')).toBe('0')
	},
	{
		route: 'DELETE /api/files/:id',
		name: 'cancel an upload',
		writes: ['unfinished_uploads', 'uploads'],
		namesRecord: true,
		request: (_, record) => tusRequest('DELETE', record!.uploadPath),
		expect: syncEndpoint({
			citizenA: ownOnly('alice', 204, refused(404, 'not_found')),
			citizenB: ownOnly('bob', 204, refused(404, 'not_found')),
			staff: refused(404, 'not_found')
		}),
		renew: ({ world, record }) => renewUpload(world, record!)
	},
	{
		route: 'GET /api/files/:key',
		// Files are the owner's: every device of the owner may ask; a signed-out one is
		// unbound from the person, as a revoked one.
		name: 'ask whether a file arrived',
		namesRecord: true,
		request: (_, record) => tusRequest('GET', `/api/files/${record!.fileSha256}`),
		expect: syncEndpoint({
			citizenA: ownOnly('alice', 200, refused(404, 'not_found')),
			citizenB: ownOnly('bob', 200, refused(404, 'not_found')),
			staff: refused(404, 'not_found')
		}),
		effect: ({ res, record }) =>
			expect(res.json).toMatchObject({ sha256: record!.fileSha256, verified: true })
	},
	{
		route: 'POST /api/accounts/citizen/code',
		// Any device may ask: the register and the limits (limits.test.ts) are the wall.
		name: 'ask for a sign-in code',
		writes: ['audit_log', 'sign_in_codes'],
		namesRecord: false,
		request: () =>
			jsonRequest('POST', '/api/accounts/citizen/code', {
				iin: validIin(3),
				phone: '+77010000001'
			}),
		expect: anyDevice(served()),
		effect: ({ res }) => expect(res.json.challengeId).toMatch(/^[0-9a-f-]{36}$/),
		// Asking again ends the device's last code: Alice's, when her first device asked.
		renew: ({ world }) => renewChallenge(world)
	},
	{
		route: 'POST /api/accounts/citizen/confirm',
		// Only the device that asked may confirm; another device's challenge is refused
		// like an unknown one, and writes no audit row (docs/accounts.md).
		name: 'confirm a sign-in code',
		writes: ['audit_log', 'sessions', 'sign_in_codes'],
		namesRecord: false,
		request: (world) =>
			jsonRequest('POST', '/api/accounts/citizen/confirm', {
				challengeId: world.challenge.id,
				code: world.challenge.code
			}),
		expect: deviceEndpoint({
			alice: served(),
			aliceSecondDevice: refused(400, 'code_expired'),
			bob: refused(400, 'code_expired'),
			revokedDevice: refused(400, 'code_expired')
		}),
		effect: ({ res, world }) =>
			expect(res.json.account).toMatchObject({ id: world.alice.accountId, role: 'citizen' }),
		// The device was Alice's already: a new session of hers, and a spent code.
		renew: ({ world }) => renewChallenge(world)
	},
	{
		route: 'POST /api/accounts/staff/enroll',
		// The link's token is the credential: whoever opens it is shown a new secret.
		name: 'open a set-password link',
		writes: ['set_password_links'],
		namesRecord: false,
		request: (world) =>
			jsonRequest('POST', '/api/accounts/staff/enroll', { token: world.newcomer.token }),
		expect: anyDevice(served()),
		effect: ({ res, world }) => {
			expect(res.json.totpSecret).toMatch(/^[A-Z2-7]+$/);
			expect(res.json.totpSecret).not.toBe(world.newcomer.totpSecret);
		},
		renew: ({ world, res }) => void (world.newcomer.totpSecret = res.json.totpSecret)
	},
	{
		route: 'POST /api/accounts/staff/set-password',
		name: 'set a staff password',
		writes: ['accounts', 'audit_log', 'set_password_links'],
		namesRecord: false,
		request: (world) =>
			jsonRequest('POST', '/api/accounts/staff/set-password', {
				token: world.newcomer.token,
				password: 'a long new staff password',
				totp: currentTotp(world.newcomer.totpSecret)
			}),
		expect: anyDevice(served()),
		effect: ({ res }) => expect(res.json).toEqual({ set: true }),
		renew: async ({ world }) => void (world.newcomer = await newcomer(world.db))
	},
	{
		route: 'POST /api/accounts/staff/sign-in',
		// Password and code are the credential, on any device; the session is that device's.
		name: 'sign in as staff',
		writes: ['accounts', 'audit_log', 'sessions'],
		namesRecord: false,
		request: (world) =>
			jsonRequest('POST', '/api/accounts/staff/sign-in', {
				login: world.staffSigner.login,
				password: STAFF_PASSWORD,
				totp: currentTotp(world.staffSigner.totpSecret)
			}),
		expect: anyDevice(served()),
		effect: ({ res, world }) =>
			expect(res.json.account).toMatchObject({ id: world.staffSigner.accountId, role: 'officer' }),
		// A TOTP code works once: the next cell signs in as another.
		renew: async ({ world }) => void (world.staffSigner = await staffSigner(world.db))
	},
	{
		route: 'POST /api/accounts/session/refresh',
		// The refresh token works only on the device it was issued to, session shown or not.
		name: 'refresh citizen A’s session',
		writes: ['audit_log', 'sessions'],
		namesRecord: false,
		request: (world) =>
			jsonRequest('POST', '/api/accounts/session/refresh', {
				refreshToken: world.alice.session.refreshToken
			}),
		expect: deviceEndpoint({
			alice: served(),
			aliceSecondDevice: refused(401, 'session_invalid'),
			bob: refused(401, 'session_invalid'),
			revokedDevice: refused(401, 'session_invalid')
		}),
		effect: ({ res, world }) => {
			expect(res.json.account).toMatchObject({ id: world.alice.accountId });
			expect(res.json.refreshToken).not.toBe(world.alice.session.refreshToken);
		},
		// The old pair stops working (rotation): citizen A goes on with the new one.
		renew: ({ world, res }) => void (world.alice.session = res.json)
	},
	{
		route: 'POST /api/accounts/session/refresh',
		// Revoked is for good: the device learns why, so it removes the person's data.
		name: 'refresh the revoked device’s session',
		namesRecord: false,
		request: (world) =>
			jsonRequest('POST', '/api/accounts/session/refresh', {
				refreshToken: world.revoked.refreshToken
			}),
		expect: {
			...anyDevice(refused(401, 'session_invalid')),
			// Only the device it was issued to: anyone else learns nothing of it.
			revokedDevice: refused(401, 'device_revoked'),
			revokedSession: refused(401, 'device_revoked')
		}
	},
	{
		route: 'POST /api/accounts/session/sign-out',
		// A citizen's device is unbound as well, as revoking does: the next person on a shared
		// phone must not pull the first one's applications.
		name: 'sign out',
		writes: ['audit_log', 'devices', 'sessions'],
		namesRecord: false,
		request: () => jsonRequest('POST', '/api/accounts/session/sign-out', {}),
		expect: sessionEndpoint({
			citizenA: served(),
			citizenB: served(),
			officer: served(),
			regionReviewer: served(),
			otherReviewer: served(),
			nationalReviewer: served(),
			administrator: served()
		}),
		effect: async ({ res, world, actor }) => {
			expect(res.json).toEqual({ signedOut: true });
			const holdings = { citizenA: world.alice, citizenB: world.bob }[actor as string];
			if (holdings) {
				expect(await ownerOf(world, holdings.device.id)).not.toBe(holdings.ownerId);
			}
		},
		// Staff devices stay as they were; a citizen's moved, so the world is made again.
		renew: async ({ world, actor }) => {
			if (actor === 'citizenA' || actor === 'citizenB') return false;
			await resignIn(world, actor as SignedInActor);
		}
	},
	{
		route: 'GET /api/accounts/me',
		name: 'who am I',
		namesRecord: false,
		request: () => ({ method: 'GET', path: '/api/accounts/me', signs: 'body' }),
		expect: sessionEndpoint({
			citizenA: served(),
			citizenB: served(),
			officer: served(),
			regionReviewer: served(),
			otherReviewer: served(),
			nationalReviewer: served(),
			administrator: served()
		}),
		effect: ({ res, actor }) => expect(res.json.role).toBe(ROLE_OF[actor as SignedInActor])
	},
	{
		route: 'GET /api/accounts/devices',
		name: 'list one’s own devices',
		namesRecord: false,
		request: () => ({ method: 'GET', path: '/api/accounts/devices', signs: 'body' }),
		expect: sessionEndpoint({
			citizenA: served(),
			citizenB: served(),
			officer: served(),
			regionReviewer: served(),
			otherReviewer: served(),
			nationalReviewer: served(),
			administrator: served()
		}),
		effect: ({ res, world, actor }) =>
			expect(res.json.devices).toContainEqual(
				expect.objectContaining({ id: deviceOf(world, actor)!.id, current: true })
			)
	},
	{
		route: 'GET /api/accounts/devices',
		// Another account's devices: an administrator's work, and nobody else's.
		name: 'list a person’s devices',
		namesRecord: true,
		request: (_, record) => ({
			method: 'GET',
			path: `/api/accounts/devices?account=${record!.accountId}`,
			signs: 'body'
		}),
		expect: sessionEndpoint({
			citizenA: ownOnly('alice', 200, refused(403, 'forbidden')),
			citizenB: ownOnly('bob', 200, refused(403, 'forbidden')),
			officer: refused(403, 'forbidden'),
			regionReviewer: refused(403, 'forbidden'),
			otherReviewer: refused(403, 'forbidden'),
			nationalReviewer: refused(403, 'forbidden'),
			administrator: served()
		}),
		effect: ({ res, record }) =>
			expect(res.json.devices.map((d: { id: string }) => d.id)).toContain(record!.device.id)
	},
	{
		route: 'POST /api/accounts/devices/:id/revoke',
		name: 'revoke a person’s device',
		writes: ['audit_log', 'devices', 'sessions'],
		namesRecord: true,
		request: (_, record) =>
			jsonRequest(
				'POST',
				`/api/accounts/devices/${record!.device.id}/revoke?account=${record!.accountId}`,
				{}
			),
		expect: sessionEndpoint({
			citizenA: ownOnly('alice', 200, refused(403, 'forbidden')),
			citizenB: ownOnly('bob', 200, refused(403, 'forbidden')),
			officer: refused(403, 'forbidden'),
			regionReviewer: refused(403, 'forbidden'),
			otherReviewer: refused(403, 'forbidden'),
			nationalReviewer: refused(403, 'forbidden'),
			administrator: served()
		}),
		effect: async ({ world, record }) => {
			expect(await ownerOf(world, record!.device.id)).not.toBe(record!.ownerId);
		}
	},
	{
		route: 'GET /api/accounts/staff',
		name: 'list the staff accounts',
		namesRecord: false,
		request: () => ({ method: 'GET', path: '/api/accounts/staff', signs: 'body' }),
		expect: sessionEndpoint({
			citizenA: refused(403, 'forbidden'),
			citizenB: refused(403, 'forbidden'),
			officer: refused(403, 'forbidden'),
			regionReviewer: refused(403, 'forbidden'),
			otherReviewer: refused(403, 'forbidden'),
			nationalReviewer: refused(403, 'forbidden'),
			administrator: served()
		}),
		effect: ({ res, world }) =>
			expect(res.json.staff.map((s: { id: string }) => s.id)).toContain(world.officer.accountId)
	},
	{
		route: 'POST /api/accounts/staff',
		name: 'make a staff account',
		namesRecord: false,
		writes: ['accounts', 'set_password_links', 'audit_log'],
		request: () =>
			jsonRequest('POST', '/api/accounts/staff', {
				role: 'administrator',
				region: NATIONAL,
				name: 'Made in the matrix'
			}),
		expect: sessionEndpoint({
			citizenA: refused(403, 'forbidden'),
			citizenB: refused(403, 'forbidden'),
			officer: refused(403, 'forbidden'),
			regionReviewer: refused(403, 'forbidden'),
			otherReviewer: refused(403, 'forbidden'),
			nationalReviewer: refused(403, 'forbidden'),
			administrator: served(201)
		}),
		effect: ({ res }) => expect(res.json.token).toMatch(/^ds_/)
	},
	{
		route: 'POST /api/accounts/staff/:id/disable',
		name: 'disable a staff account',
		namesRecord: false,
		writes: ['accounts', 'sessions', 'set_password_links', 'audit_log'],
		request: (world) =>
			jsonRequest('POST', `/api/accounts/staff/${world.officer.accountId}/disable`, {}),
		expect: sessionEndpoint({
			citizenA: refused(403, 'forbidden'),
			citizenB: refused(403, 'forbidden'),
			officer: refused(403, 'forbidden'),
			regionReviewer: refused(403, 'forbidden'),
			otherReviewer: refused(403, 'forbidden'),
			nationalReviewer: refused(403, 'forbidden'),
			administrator: served()
		}),
		effect: async ({ world }) => {
			const [row] = await world.db
				.select({ disabledAt: accounts.disabledAt })
				.from(accounts)
				.where(eq(accounts.id, world.officer.accountId));
			expect(row?.disabledAt).not.toBeNull();
		}
	},
	{
		route: 'POST /api/office/applications/:id/decision',
		// A reviewer decides in their region only; to anyone else the application does not
		// exist. Both are regional, so the national reviewer finds neither: the national
		// queue's own row (a region-less application) is in the tests/server/regions tests.
		name: 'decide as a signed-in reviewer',
		writes: ['application_history', 'applications', 'audit_log'],
		namesRecord: true,
		request: async (world, record) =>
			jsonRequest('POST', `/api/office/applications/${record!.applicationId}/decision`, {
				status: ApplicationStatus.inReview,
				baseVersion: await versionOf(world, record!)
			}),
		expect: sessionEndpoint({
			citizenA: refused(404, 'not_found'),
			citizenB: refused(404, 'not_found'),
			officer: refused(404, 'not_found'),
			regionReviewer: ownOnly('alice', 200, refused(404, 'not_found')),
			otherReviewer: ownOnly('bob', 200, refused(404, 'not_found')),
			nationalReviewer: refused(404, 'not_found'),
			administrator: refused(404, 'not_found')
		}),
		effect: async ({ res, world, record }) => {
			const stored = await storedApplication(world.db, record!.applicationId);
			expect(stored).toMatchObject({
				status: ApplicationStatus.inReview,
				version: res.json.application.version
			});
		}
	},
	{
		route: 'POST /api/office/applications/:id/revocation',
		// Whoever may decide an application may revoke its document; to anyone else it does
		// not exist. The world's applications have no document yet, so a reviewer who may
		// gets past the policy to `no_document`: the revocation itself is in documents.test.ts.
		name: 'revoke a document as a signed-in reviewer',
		namesRecord: true,
		request: async (world, record) =>
			jsonRequest('POST', `/api/office/applications/${record!.applicationId}/revocation`, {
				reason: 'Issued in error',
				baseVersion: await versionOf(world, record!)
			}),
		expect: sessionEndpoint({
			citizenA: refused(404, 'not_found'),
			citizenB: refused(404, 'not_found'),
			officer: refused(404, 'not_found'),
			regionReviewer: { alice: refused(409, 'no_document'), bob: refused(404, 'not_found') },
			otherReviewer: { alice: refused(404, 'not_found'), bob: refused(409, 'no_document') },
			nationalReviewer: refused(404, 'not_found'),
			administrator: refused(404, 'not_found')
		})
	},
	{
		route: 'GET /api/office/applications',
		// A reviewer's queue is their region's; no other account has one.
		name: 'list the region’s work queue',
		namesRecord: false,
		request: () => ({ method: 'GET', path: '/api/office/applications', signs: 'body' }),
		expect: sessionEndpoint({
			citizenA: refused(403, 'forbidden'),
			citizenB: refused(403, 'forbidden'),
			officer: refused(403, 'forbidden'),
			regionReviewer: served(),
			otherReviewer: served(),
			nationalReviewer: served(),
			administrator: refused(403, 'forbidden')
		}),
		effect: ({ res, world, actor }) => {
			const listed = res.json.items.map((item: { id: string }) => item.id);
			const own = { regionReviewer: world.alice, otherReviewer: world.bob }[actor as string];
			const others = [world.alice, world.bob].filter((h) => h !== own);
			if (own) expect(listed).toContain(own.applicationId);
			for (const other of others) expect(listed).not.toContain(other.applicationId);
		}
	},
	{
		route: 'GET /api/office/dashboard',
		// A region's times and counts: its reviewers' and officers', no one else's.
		name: 'sum up the region',
		namesRecord: false,
		request: () => ({ method: 'GET', path: '/api/office/dashboard', signs: 'body' }),
		expect: sessionEndpoint({
			citizenA: refused(403, 'forbidden'),
			citizenB: refused(403, 'forbidden'),
			officer: served(),
			regionReviewer: served(),
			otherReviewer: served(),
			nationalReviewer: served(),
			administrator: refused(403, 'forbidden')
		}),
		effect: async ({ res, world, actor }) => {
			// Worlds made before this one left older applications in the same database, so the
			// ten that waited longest need not be this world's: every one must be the region's.
			const listed: string[] = res.json.waiting.map((item: { id: string }) => item.id);
			const region = { regionReviewer: ALICE, officer: ALICE, otherReviewer: BOB }[actor as string];
			const rows = listed.length
				? await world.db
						.select({ region: applications.region })
						.from(applications)
						.where(inArray(applications.id, listed))
				: [];
			for (const row of rows) expect(row.region).toBe(region ?? null);
			const others = [world.alice, world.bob].filter((h) => h.region !== region);
			for (const other of others) expect(listed).not.toContain(other.applicationId);
		}
	},
	{
		route: 'GET /api/office/colleagues',
		name: 'list the reviewers of one’s region',
		namesRecord: false,
		request: () => ({ method: 'GET', path: '/api/office/colleagues', signs: 'body' }),
		expect: sessionEndpoint({
			citizenA: refused(403, 'forbidden'),
			citizenB: refused(403, 'forbidden'),
			officer: refused(403, 'forbidden'),
			regionReviewer: served(),
			otherReviewer: served(),
			nationalReviewer: served(),
			administrator: refused(403, 'forbidden')
		}),
		effect: ({ res, world, actor }) => {
			const ids = res.json.reviewers.map((r: { id: string }) => r.id);
			const own = { regionReviewer: world.regionReviewer, otherReviewer: world.otherReviewer }[
				actor as string
			];
			if (own) expect(ids).toContain(own.accountId);
			if (actor === 'regionReviewer') expect(ids).not.toContain(world.otherReviewer.accountId);
		}
	},
	{
		route: 'GET /api/office/applications/:id',
		name: 'open an application in the office',
		namesRecord: true,
		request: (_, record) => ({
			method: 'GET',
			path: `/api/office/applications/${record!.applicationId}`,
			signs: 'body'
		}),
		expect: sessionEndpoint({
			citizenA: refused(404, 'not_found'),
			citizenB: refused(404, 'not_found'),
			officer: refused(404, 'not_found'),
			regionReviewer: ownOnly('alice', 200, refused(404, 'not_found')),
			otherReviewer: ownOnly('bob', 200, refused(404, 'not_found')),
			nationalReviewer: refused(404, 'not_found'),
			administrator: refused(404, 'not_found')
		}),
		effect: ({ res, record }) =>
			expect(res.json).toMatchObject({ id: record!.applicationId, region: record!.region })
	},
	{
		route: 'POST /api/office/applications/:id/claim',
		name: 'take an application to work on',
		writes: ['applications', 'application_history'],
		namesRecord: true,
		request: (_, record) =>
			jsonRequest('POST', `/api/office/applications/${record!.applicationId}/claim`, {}),
		expect: sessionEndpoint({
			citizenA: refused(404, 'not_found'),
			citizenB: refused(404, 'not_found'),
			officer: refused(404, 'not_found'),
			regionReviewer: ownOnly('alice', 200, refused(404, 'not_found')),
			otherReviewer: ownOnly('bob', 200, refused(404, 'not_found')),
			nationalReviewer: refused(404, 'not_found'),
			administrator: refused(404, 'not_found')
		}),
		effect: async ({ res, world, record }) => {
			expect(res.json).toMatchObject({ status: 'claimed' });
			const stored = await storedApplication(world.db, record!.applicationId);
			expect(stored?.assignedTo).toBe(res.json.assignee.id);
		}
	},
	{
		route: 'POST /api/office/applications/:id/notes',
		name: 'write a note for colleagues',
		writes: ['application_notes'],
		namesRecord: true,
		request: (_, record) =>
			jsonRequest('POST', `/api/office/applications/${record!.applicationId}/notes`, {
				text: 'Phoned the applicant.'
			}),
		expect: sessionEndpoint({
			citizenA: refused(404, 'not_found'),
			citizenB: refused(404, 'not_found'),
			officer: refused(404, 'not_found'),
			regionReviewer: ownOnly('alice', 201, refused(404, 'not_found')),
			otherReviewer: ownOnly('bob', 201, refused(404, 'not_found')),
			nationalReviewer: refused(404, 'not_found'),
			administrator: refused(404, 'not_found')
		}),
		effect: ({ res }) => expect(res.json).toMatchObject({ text: 'Phoned the applicant.' })
	},
	{
		route: 'GET /api/office/applications/:id/files/:sha256',
		// The world's file is its owner's but no answer of the application names it: nobody
		// gets it through the application. The served case is in office-queue.test.ts.
		name: 'a file the application does not name',
		namesRecord: true,
		request: (_, record) => ({
			method: 'GET',
			path: `/api/office/applications/${record!.applicationId}/files/${record!.fileSha256}`,
			signs: 'body'
		}),
		expect: sessionEndpoint({
			citizenA: refused(404, 'not_found'),
			citizenB: refused(404, 'not_found'),
			officer: refused(404, 'not_found'),
			regionReviewer: refused(404, 'not_found'),
			otherReviewer: refused(404, 'not_found'),
			nationalReviewer: refused(404, 'not_found'),
			administrator: refused(404, 'not_found')
		})
	}
];
