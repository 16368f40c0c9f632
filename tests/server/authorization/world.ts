/**
 * The people and records every authorization cell runs against. Alice has signed in on
 * four devices (`citizenA` on the first, an expired session on the second, one signed in
 * and out again through the sign-out endpoint, one revoked by her through the revoke
 * endpoint); Bob on one. Each has an application (Alice's in ALICE_REGION, Bob's in
 * BOB_REGION), a verified file and an unfinished upload, sent from the first device. Staff
 * (an officer, reviewers of both regions and of the national queue, an administrator)
 * are made as the admin CLI makes them and signed in on devices of their own; an
 * anonymous device is only registered. A request that is allowed changes the world, so
 * the matrix then makes a new one, or renews just what the row used up (table.ts).
 */
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Session, StaffRole } from '../../../shared/accounts';
import { confirmCode, sendCode } from '../../../sync-server/accounts/citizen';
import { passwordPool } from '../../../sync-server/accounts/passwords';
import { openSession } from '../../../sync-server/accounts/sessions';
import type { SmsSender } from '../../../sync-server/accounts/sms-sender';
import { createStaff, enrollStaff } from '../../../sync-server/accounts/staff';
import { newTotpSecret, totpCode, totpStep } from '../../../sync-server/accounts/totp';
import type { Database } from '../../../sync-server/db/open';
import { accounts, applications, devices, sessions } from '../../../sync-server/db/schema';
import {
	anonymousDevice,
	answer,
	push,
	signedRequest,
	signedTusRequest,
	submit,
	unregisteredDevice,
	validIin,
	type App,
	type Device
} from '../helpers';
import type { Actor, SignedInActor, StaffActor } from './actors';

/** Whose a record is. */
export type Person = 'alice' | 'bob';

/** What one person holds on the server. */
export interface Holdings {
	/** The person's first device: it made every record below. */
	device: Device;
	ownerId: string;
	applicationId: string;
	/** SHA-256 (hex) of a file that arrived whole and was verified. */
	fileSha256: string;
	/** The path of an upload created and not yet sent (`/api/files/<id>`). */
	uploadPath: string;
	/** The application's region, set by SQL (see `holdings`). */
	region: string;
	/** The person's citizen account, whose owner is `ownerId`. */
	accountId: string;
	iin: string;
	/** The session of the person's first device (citizenA, citizenB). */
	session: Session;
}

/** A staff member signed in on a device of their own. */
export interface SignedIn {
	device: Device;
	accountId: string;
	accessToken: string;
}

/** Alice's application's region, and her region's staff's; Bob's is another. */
export const ALICE_REGION = 'almaty';
export const BOB_REGION = 'astana';
/** The reviewers of region-less applications (docs/accounts.md, the national queue). */
export const NATIONAL = 'national';
/** The staff sign-in row's password; hashed once per process (Argon2id is slow by design). */
export const STAFF_PASSWORD = 'matrix staff password 0123';

export interface World {
	app: App;
	db: Database;
	alice: Holdings;
	bob: Holdings;
	/** Alice's second device, signed in as her before the cell runs; its session expired. */
	aliceSecondDevice: Device;
	/** A well-formed device nobody registered. */
	unknownDevice: Device;
	/** Once Alice's, signed in as her, then revoked by citizenA (POST …/devices/:id/revoke). */
	revokedDevice: Device;
	/** The session the revoked device had before it was revoked. */
	revoked: Pick<Session, 'accessToken' | 'refreshToken'>;
	/** A registered device nobody ever signed in on. */
	anonymous: Device;
	/** Once Alice's, signed in and then out (POST /api/accounts/session/sign-out): unbound. */
	signedOut: { device: Device; accessToken: string };
	/** The access token of Alice's second device, expired. */
	expiredToken: string;
	officer: SignedIn;
	regionReviewer: SignedIn;
	otherReviewer: SignedIn;
	nationalReviewer: SignedIn;
	administrator: SignedIn;
	/** A staff member who opened their set-password link and was shown `totpSecret`. */
	newcomer: { token: string; totpSecret: string };
	/** A staff account with STAFF_PASSWORD set and a TOTP secret, for the sign-in row. */
	staffSigner: { accountId: string; login: string; totpSecret: string };
	/** A sign-in code for Alice's IIN that her first device asked for, as her phone got it. */
	challenge: { id: string; code: string };
}

/** The TOTP code an authenticator shows now for `secret`. */
export const currentTotp = (secret: string) => totpCode(secret, totpStep(Date.now()));

// IINs are unique across the worlds a suite makes in one database.
let made = 0;
let staffHash: Promise<string> | undefined;

const anyRegister = { description: 'matrix register', isRegistered: async () => true };

/** A sign-in code for `iin` asked for by `device`, as the phone received it. */
async function askCode(db: Database, device: Device, iin: string) {
	let code = '';
	const sender: SmsSender = {
		description: 'matrix phone',
		send: async (_phone, sms) => void (sms.kind === 'sign_in_code' && (code = sms.code))
	};
	const outcome = await sendCode(
		db,
		{ sender, register: anyRegister },
		device.id,
		iin,
		'+77010000000'
	);
	if (outcome.status !== 'sent') throw new Error(`the code was ${outcome.status}`);
	return { id: outcome.challengeId, code };
}

/** Signs `device` in as the citizen of `iin`, as confirming a code does. */
async function signInCitizen(db: Database, device: Device, iin: string): Promise<Session> {
	const { id, code } = await askCode(db, device, iin);
	const outcome = await confirmCode(db, device.id, id, code);
	if (outcome.status !== 'signed_in') throw new Error(`the sign-in was ${outcome.status}`);
	return outcome.session;
}

/** A staff member made as the admin CLI makes one, signed in on a new device. */
async function signedInStaff(app: App, db: Database, role: StaffRole, region: string) {
	const device = await anonymousDevice(app);
	const { accountId } = await createStaff(db, { role, region, name: `Matrix ${role} ${region}` });
	const { accessToken } = await db.transaction((tx) => openSession(tx, accountId, device.id));
	return { device, accountId, accessToken } satisfies SignedIn;
}

/** A staff member who opened their set-password link. */
export async function newcomer(db: Database): Promise<World['newcomer']> {
	const { token } = await createStaff(db, { role: 'reviewer', region: ALICE_REGION, name: 'New' });
	const enrolled = await enrollStaff(db, token);
	return { token, totpSecret: enrolled!.totpSecret };
}

/**
 * A staff account whose password (STAFF_PASSWORD) and TOTP secret are set, as the
 * set-password link sets them (the hash is the pool's, made once).
 */
export async function staffSigner(db: Database): Promise<World['staffSigner']> {
	const { accountId, login } = await createStaff(db, {
		role: 'officer',
		region: ALICE_REGION,
		name: 'Matrix signer'
	});
	staffHash ??= passwordPool().hash(STAFF_PASSWORD);
	const totpSecret = newTotpSecret();
	await db
		.update(accounts)
		.set({ passwordHash: await staffHash, totpSecret })
		.where(eq(accounts.id, accountId));
	return { accountId, login, totpSecret };
}

/** A new code for Alice on her first device (asking again ends the last one). */
export async function renewChallenge(world: World): Promise<void> {
	world.challenge = await askCode(world.db, world.alice.device, world.alice.iin);
}

/** The person's first device showing its live session, as the app syncs. */
export const syncing = (holdings: Holdings): Device => ({
	...holdings.device,
	accessToken: holdings.session.accessToken
});

/** A new unfinished upload of the person's, in place of one a cell used. */
export async function renewUpload(world: World, holdings: Holdings): Promise<void> {
	holdings.uploadPath = await createUpload(
		world.app,
		syncing(holdings),
		jpeg(`renewed-${Math.random()}`)
	);
}

/** A new session for a signed-in actor whose session a cell ended (sign-out). */
export async function resignIn(world: World, actor: SignedInActor): Promise<void> {
	const open = (accountId: string, device: Device) =>
		world.db.transaction((tx) => openSession(tx, accountId, device.id));
	if (actor === 'citizenA')
		world.alice.session = await open(world.alice.accountId, world.alice.device);
	else if (actor === 'citizenB')
		world.bob.session = await open(world.bob.accountId, world.bob.device);
	else
		world[actor].accessToken = (
			await open(world[actor].accountId, world[actor].device)
		).accessToken;
}

/** A signed request of `device` showing `accessToken`; its answer must be 200. */
async function sessionCall(app: App, device: Device, accessToken: string, path: string) {
	const init = await signedRequest(
		device,
		'POST',
		path,
		{},
		{
			headers: (signed) => ({ ...signed, Authorization: `Bearer ${accessToken}` })
		}
	);
	const res = await answer(app.request(path, init));
	expect(res.status, res.text).toBe(200);
}

/** A JPEG as far as the server checks one: its magic number, then `size` distinct bytes. */
function jpeg(seed: string, size = 256): Uint8Array {
	const bytes = new Uint8Array(size);
	const noise = createHash('sha512').update(seed).digest();
	for (let i = 0; i < size; i++) bytes[i] = noise[i % noise.length]! ^ (i & 0xff);
	bytes.set([0xff, 0xd8, 0xff, 0xe0]);
	return bytes;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** Creates an upload of `file` for `device`; returns its path. */
export async function createUpload(app: App, device: Device, file: Uint8Array): Promise<string> {
	const path = '/api/files';
	const res = await answer(
		app.request(
			path,
			await signedTusRequest(device, 'POST', path, {
				'Upload-Length': String(file.length),
				'Upload-Metadata': `sha256 ${b64(sha256(file))},type ${b64('image/jpeg')}`
			})
		)
	);
	expect(res.status, res.text).toBe(201);
	return res.headers.get('Location')!;
}

/** Sends all of `file` to the upload at `path` in one PATCH. */
export async function sendUpload(app: App, device: Device, path: string, file: Uint8Array) {
	const res = await answer(
		app.request(
			path,
			await signedTusRequest(
				device,
				'PATCH',
				path,
				{ 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
				file
			)
		)
	);
	expect(res.status, res.text).toBe(204);
}

async function ownerOf(db: Database, device: Device): Promise<string> {
	const [row] = await db
		.select({ ownerId: devices.ownerId })
		.from(devices)
		.where(eq(devices.id, device.id));
	return row!.ownerId;
}

/**
 * A person's first sign-in, on `device`, which makes the account; then what they send
 * from it: an application, a file, an unfinished upload.
 */
async function holdings(
	app: App,
	db: Database,
	device: Device,
	name: string,
	region: string
): Promise<Holdings> {
	const iin = validIin(made++ * 10);
	const session = await signInCitizen(db, device, iin);
	const sending = { ...device, accessToken: session.accessToken };
	const submitted = submit();
	const pushed = await push(app, sending, { mutations: [submitted] });
	expect(pushed.json?.results?.[0]?.status, pushed.text).toBe('applied');
	// Entrepreneur v1's address is free text, so receipt finds no region in it (the
	// national queue): the matrix sets one, to ask who decides a regional application.
	await db.update(applications).set({ region }).where(eq(applications.id, submitted.applicationId));
	const file = jpeg(`${name}-${device.id}`);
	await sendUpload(app, sending, await createUpload(app, sending, file), file);
	const uploadPath = await createUpload(app, sending, jpeg(`${name}-unfinished-${device.id}`));
	return {
		device,
		ownerId: await ownerOf(db, device),
		applicationId: submitted.applicationId,
		fileSha256: sha256(file),
		uploadPath,
		region,
		accountId: session.account.id,
		iin,
		session
	};
}

/** A fresh world in `db`, served by `app` (which must have uploads). */
export async function newWorld(app: App, db: Database): Promise<World> {
	const [aliceDevice, bobDevice, aliceSecondDevice, revokedDevice, signedOutDevice, anonymous] =
		await Promise.all(Array.from({ length: 6 }, () => anonymousDevice(app)));
	const alice = await holdings(app, db, aliceDevice!, 'alice', ALICE_REGION);
	const bob = await holdings(app, db, bobDevice!, 'bob', BOB_REGION);

	const expired = await signInCitizen(db, aliceSecondDevice!, alice.iin);
	await db
		.update(sessions)
		.set({ accessExpiresAt: sql`now() - interval '1 second'` })
		.where(eq(sessions.deviceId, aliceSecondDevice!.id));
	const signedOut = await signInCitizen(db, signedOutDevice!, alice.iin);
	await sessionCall(app, signedOutDevice!, signedOut.accessToken, '/api/accounts/session/sign-out');
	const revoked = await signInCitizen(db, revokedDevice!, alice.iin);
	await sessionCall(
		app,
		alice.device,
		alice.session.accessToken,
		`/api/accounts/devices/${revokedDevice!.id}/revoke`
	);
	const staff = {} as Record<StaffActor, SignedIn>;
	for (const [actor, role, region] of [
		['officer', 'officer', ALICE_REGION],
		['regionReviewer', 'reviewer', ALICE_REGION],
		['otherReviewer', 'reviewer', BOB_REGION],
		['nationalReviewer', 'reviewer', NATIONAL],
		['administrator', 'administrator', ALICE_REGION]
	] as const) {
		staff[actor] = await signedInStaff(app, db, role, region);
	}
	return {
		app,
		db,
		alice,
		bob,
		aliceSecondDevice: aliceSecondDevice!,
		unknownDevice: await unregisteredDevice(),
		revokedDevice: revokedDevice!,
		revoked: { accessToken: revoked.accessToken, refreshToken: revoked.refreshToken },
		anonymous: anonymous!,
		signedOut: { device: signedOutDevice!, accessToken: signedOut.accessToken },
		expiredToken: expired.accessToken,
		...staff,
		newcomer: await newcomer(db),
		staffSigner: await staffSigner(db),
		challenge: await askCode(db, aliceDevice!, alice.iin)
	};
}

/** The registered device an actor signs with, if it signs with one of the world's. */
export function deviceOf(world: World, actor: Actor): Device | undefined {
	switch (actor) {
		case 'alice':
		case 'citizenA':
		case 'tampered':
			return world.alice.device;
		case 'aliceSecondDevice':
		case 'expiredSession':
			return world.aliceSecondDevice;
		case 'bob':
		case 'citizenB':
		case 'stolenSession':
			return world.bob.device;
		case 'revokedDevice':
		case 'revokedSession':
			return world.revokedDevice;
		case 'signedOut':
			return world.signedOut.device;
		case 'anonymous':
			return world.anonymous;
		case 'officer':
		case 'regionReviewer':
		case 'otherReviewer':
		case 'nationalReviewer':
		case 'administrator':
			return world[actor].device;
		default:
			return undefined;
	}
}
