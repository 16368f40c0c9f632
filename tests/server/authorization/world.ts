/**
 * The people and records every authorization cell runs against: Alice with two linked
 * devices, Bob with one, and each with an application, a verified file, an unfinished
 * upload and a live link code. A cell gets a world of its own, so a request that is
 * allowed (a link, a decision) cannot change what the next cell sees.
 */
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { devices } from '../../../sync-server/db/schema';
import {
	answer,
	newDevice,
	push,
	signedRequest,
	signedTusRequest,
	submit,
	unregisteredDevice,
	type App,
	type Device
} from '../helpers';
import type { Database } from '../../../sync-server/db/open';

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
	/** A link code offered by the person's device, not yet used. */
	linkCode: string;
}

export interface World {
	app: App;
	db: Database;
	alice: Holdings;
	bob: Holdings;
	/** Alice's second device, linked to her before the cell runs. */
	aliceSecondDevice: Device;
	/** A well-formed device nobody registered. */
	unknownDevice: Device;
	/** Once Alice's, linked to her, then revoked (`revokeDevice`). */
	revokedDevice: Device;
}

/**
 * Takes a device away from its person as revoking it does (accounts/account-devices.ts
 * on the accounts branch: the device gets an empty owner of its own and may still sync
 * as nobody's). The one place the tests revoke, so the real call replaces it here.
 */
export async function revokeDevice(db: Database, device: Device): Promise<void> {
	await db
		.update(devices)
		.set({ ownerId: sql`gen_random_uuid()::text` })
		.where(eq(devices.id, device.id));
}

/** Links `device` to the owner of `to` with a fresh code. */
export async function link(app: App, to: Device, device: Device): Promise<void> {
	const path = '/api/sync/link/accept';
	const code = await offerCode(app, to);
	const linked = await answer(
		app.request(path, await signedRequest(device, 'POST', path, { code }))
	);
	expect(linked.status, linked.text).toBe(200);
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

async function offerCode(app: App, device: Device): Promise<string> {
	const path = '/api/sync/link/offer';
	const res = await answer(app.request(path, await signedRequest(device, 'POST', path, {})));
	expect(res.status, res.text).toBe(200);
	return res.json.code;
}

async function ownerOf(db: Database, device: Device): Promise<string> {
	const [row] = await db
		.select({ ownerId: devices.ownerId })
		.from(devices)
		.where(eq(devices.id, device.id));
	return row!.ownerId;
}

async function holdings(app: App, db: Database, device: Device, name: string): Promise<Holdings> {
	const submitted = submit();
	const pushed = await push(app, device, { mutations: [submitted] });
	expect(pushed.json?.results?.[0]?.status, pushed.text).toBe('applied');
	const file = jpeg(`${name}-${device.id}`);
	await sendUpload(app, device, await createUpload(app, device, file), file);
	return {
		device,
		ownerId: await ownerOf(db, device),
		applicationId: submitted.applicationId,
		fileSha256: sha256(file),
		uploadPath: await createUpload(app, device, jpeg(`${name}-unfinished-${device.id}`)),
		linkCode: await offerCode(app, device)
	};
}

/** A fresh world in `db`, served by `app` (which must have uploads and a review token). */
export async function newWorld(app: App, db: Database): Promise<World> {
	const [aliceDevice, bobDevice, aliceSecondDevice, revokedDevice] = await Promise.all([
		newDevice(app),
		newDevice(app),
		newDevice(app),
		newDevice(app)
	]);
	// Linked first, so Alice's records below are made under the owner her devices share.
	await link(app, aliceDevice, aliceSecondDevice);
	await link(app, aliceDevice, revokedDevice);
	await revokeDevice(db, revokedDevice);
	return {
		app,
		db,
		alice: await holdings(app, db, aliceDevice, 'alice'),
		bob: await holdings(app, db, bobDevice, 'bob'),
		aliceSecondDevice,
		unknownDevice: await unregisteredDevice(),
		revokedDevice
	};
}

/** The registered device an actor signs with, if it is one of the world's people. */
export function deviceOf(world: World, actor: string): Device | undefined {
	if (actor === 'alice') return world.alice.device;
	if (actor === 'aliceSecondDevice') return world.aliceSecondDevice;
	if (actor === 'bob') return world.bob.device;
	if (actor === 'revokedDevice') return world.revokedDevice;
	return undefined;
}
