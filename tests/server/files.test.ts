/**
 * Uploads of photos and documents over tus (sync-server/files/routes.ts): resumable,
 * signed by a registered device, verified by SHA-256 and type, on every backend.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { signatureHeaders } from '../../shared/device-signature';
import { ErrorCode } from '../../shared/errors';
import { MAX_FILE_BYTES, tusSigningBody } from '../../shared/files';
import { files } from '../../sync-server/db/schema';
import { directoryStore } from '../../sync-server/files/store';
import { backends } from './backends';
import {
	answer,
	bearer,
	newDevice,
	newPerson,
	syncHeaders,
	unregisteredDevice,
	useSuite,
	type App,
	type Device
} from './helpers';
import { samplePhoto, sha256Hex as sha256 } from '../support/sample-photo';

const b64 = (text: string) => Buffer.from(text).toString('base64');

interface TusOptions {
	headers?: Record<string, string>;
	body?: Uint8Array;
	/** Sign with this device instead (a foreign key for the same claimed id). */
	signAs?: Device;
	unsigned?: boolean;
}

/** A tus request as tus-js-client sends it, signed the way app/lib/files/upload.ts signs. */
async function tus(app: App, device: Device, method: string, path: string, o: TusOptions = {}) {
	const headers = new Headers({
		...syncHeaders(device.id),
		...bearer(device),
		'Tus-Resumable': '1.0.0',
		...o.headers
	});
	if (!o.unsigned) {
		const key = (o.signAs ?? device).privateKey;
		const signed = { method, pathAndQuery: path, body: tusSigningBody(headers) };
		for (const [name, value] of Object.entries(await signatureHeaders(key, signed, Date.now()))) {
			headers.set(name, value);
		}
	}
	return answer(
		app.request(path, {
			method,
			headers,
			...(o.body ? { body: o.body as Uint8Array<ArrayBuffer> } : {})
		})
	);
}

function create(app: App, device: Device, file: Uint8Array, meta: Record<string, string> = {}) {
	const metadata = { sha256: sha256(file), type: 'image/jpeg', ...meta };
	return tus(app, device, 'POST', '/api/files', {
		headers: {
			'Upload-Length': String(file.length),
			'Upload-Metadata': Object.entries(metadata)
				.map(([k, value]) => `${k} ${b64(value)}`)
				.join(',')
		}
	});
}

function patch(app: App, device: Device, location: string, offset: number, chunk: Uint8Array) {
	return tus(app, device, 'PATCH', location, {
		headers: {
			'Upload-Offset': String(offset),
			'Content-Type': 'application/offset+octet-stream'
		},
		body: chunk
	});
}

async function created(app: App, device: Device, file: Uint8Array) {
	const res = await create(app, device, file);
	expect(res.status, res.text).toBe(201);
	const location = res.headers.get('Location');
	expect(location).toMatch(/^\/api\/files\/[0-9a-f]{32}$/);
	return location!;
}

describe.each(backends)('files on $name', (backend) => {
	// FileStore makes its directory when it is constructed.
	const dir = join(tmpdir(), `dala-files-${randomUUID()}`);
	const suite = useSuite(backend, { uploads: directoryStore(dir) });
	afterAll(() => rm(dir, { recursive: true, force: true }));

	const storedRows = (sha: string) => suite.db.select().from(files).where(eq(files.sha256, sha));

	it('stores a whole upload, verifies it and records it for the owner', async () => {
		const device = await newDevice(suite.app);
		const file = samplePhoto(150_000);
		const location = await created(suite.app, device, file);

		const done = await patch(suite.app, device, location, 0, file);
		expect(done.status, done.text).toBe(204);
		expect(done.headers.get('Upload-Offset')).toBe(String(file.length));

		const [row] = await storedRows(sha256(file));
		expect(row).toMatchObject({ size: file.length, type: 'image/jpeg', deviceId: device.id });
		const bytes = await readFile(join(dir, row!.storageKey));
		expect(sha256(bytes)).toBe(sha256(file));

		const status = await tus(suite.app, device, 'GET', `/api/files/${sha256(file)}`);
		expect(status.status).toBe(200);
		expect(status.json).toEqual({
			sha256: sha256(file),
			size: file.length,
			type: 'image/jpeg',
			verified: true
		});
	});

	it('resumes: HEAD tells the offset, PATCH continues from it', async () => {
		const device = await newDevice(suite.app);
		const file = samplePhoto(300_000, 2);
		const location = await created(suite.app, device, file);

		const first = await patch(suite.app, device, location, 0, file.subarray(0, 131_072));
		expect(first.status).toBe(204);
		// Not there yet: the owner is told it did not arrive.
		const early = await tus(suite.app, device, 'GET', `/api/files/${sha256(file)}`);
		expect(early.status).toBe(404);

		const head = await tus(suite.app, device, 'HEAD', location);
		expect(head.status).toBe(200);
		expect(head.headers.get('Upload-Offset')).toBe('131072');
		expect(head.headers.get('Upload-Length')).toBe(String(file.length));

		// Sending from a stale offset is a conflict, not a corruption.
		const stale = await patch(suite.app, device, location, 0, file.subarray(0, 10));
		expect(stale.status).toBe(409);

		const rest = await patch(suite.app, device, location, 131_072, file.subarray(131_072));
		expect(rest.status, rest.text).toBe(204);
		expect(await storedRows(sha256(file))).toHaveLength(1);
	});

	it('refuses and deletes bytes that do not hash to the declared SHA-256', async () => {
		const device = await newDevice(suite.app);
		const file = samplePhoto(40_000, 3);
		const location = await created(suite.app, device, file);
		const tampered = file.slice();
		tampered[20_000] = 0xff - tampered[20_000]!;

		const res = await patch(suite.app, device, location, 0, tampered);
		expect(res.status).toBe(422);
		expect(res.json.error.code).toBe(ErrorCode.fileHashMismatch);
		expect(await storedRows(sha256(file))).toHaveLength(0);
		expect(await storedRows(sha256(tampered))).toHaveLength(0);
		const id = location.split('/').pop()!;
		expect((await readdir(dir)).filter((name) => name.startsWith(id))).toEqual([]);
	});

	it('refuses a file whose first bytes are not its declared type', async () => {
		const device = await newDevice(suite.app);
		const notJpeg = new TextEncoder().encode('%PDF-1.7 but declared a JPEG'.padEnd(2000, '.'));
		const location = await created(suite.app, device, notJpeg);
		const res = await patch(suite.app, device, location, 0, notJpeg);
		expect(res.status).toBe(415);
		expect(res.json.error.code).toBe(ErrorCode.fileTypeMismatch);
		expect(await storedRows(sha256(notJpeg))).toHaveLength(0);
	});

	it('refuses a type it does not accept, and a file too large, before storing anything', async () => {
		const device = await newDevice(suite.app);
		const file = samplePhoto(1000, 4);
		const gif = await create(suite.app, device, file, { type: 'image/gif' });
		expect(gif.status).toBe(415);
		expect(gif.json.error.code).toBe(ErrorCode.fileTypeNotAllowed);

		const big = await tus(suite.app, device, 'POST', '/api/files', {
			headers: {
				'Upload-Length': String(MAX_FILE_BYTES + 1),
				'Upload-Metadata': `sha256 ${b64(sha256(file))},type ${b64('image/jpeg')}`
			}
		});
		expect(big.status).toBe(413);
		expect(big.json.error.code).toBe(ErrorCode.fileTooLarge);

		const noHash = await create(suite.app, device, file, { sha256: 'not-a-hash' });
		expect(noHash.status).toBe(400);
		expect(noHash.json.error.code).toBe(ErrorCode.invalidUpload);

		const deferred = await tus(suite.app, device, 'POST', '/api/files', {
			headers: { 'Upload-Defer-Length': '1' }
		});
		expect(deferred.status).toBe(400);
	});

	it('refuses unsigned requests, unknown devices and other devices’ uploads', async () => {
		const owner = await newDevice(suite.app);
		const file = samplePhoto(20_000, 5);
		const location = await created(suite.app, owner, file);

		const unsigned = await tus(suite.app, owner, 'PATCH', location, {
			unsigned: true,
			headers: { 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
			body: file
		});
		expect(unsigned.status).toBe(401);
		expect(unsigned.json.error.code).toBe(ErrorCode.badSignature);

		const stranger = await unregisteredDevice();
		const unknown = await create(suite.app, stranger, file);
		expect(unknown.status).toBe(401);
		expect(unknown.json.error.code).toBe(ErrorCode.unknownDevice);

		// Claims to be the owner, signs with another key.
		const forged = await tus(suite.app, owner, 'HEAD', location, { signAs: stranger });
		expect(forged.status).toBe(401);

		// A registered device, signing correctly, may not touch someone else's upload.
		const other = await newDevice(suite.app);
		const append = await patch(suite.app, other, location, 0, file);
		expect(append.status).toBe(404);
		const head = await tus(suite.app, other, 'HEAD', location);
		expect(head.status).toBe(404);
		// Nor learn whether another owner has a file.
		const done = await patch(suite.app, owner, location, 0, file);
		expect(done.status).toBe(204);
		const peek = await tus(suite.app, other, 'GET', `/api/files/${sha256(file)}`);
		expect(peek.status).toBe(404);
	});

	it("shows a person's files on each of their devices, one row per hash", async () => {
		const person = newPerson();
		const phone = await newDevice(suite.app, person);
		const both = samplePhoto(8_000, 7);
		const own = samplePhoto(8_000, 8);
		const upload = async (device: Device, file: Uint8Array) => {
			const location = await created(suite.app, device, file);
			expect((await patch(suite.app, device, location, 0, file)).status).toBe(204);
		};
		await upload(phone, both);
		// The second phone signs in after the first uploaded, then uploads the same bytes.
		const tablet = await newDevice(suite.app, person);
		await upload(tablet, both);
		await upload(tablet, own);

		expect(await storedRows(sha256(both))).toHaveLength(1);
		for (const device of [phone, tablet]) {
			for (const file of [both, own]) {
				const status = await tus(suite.app, device, 'GET', `/api/files/${sha256(file)}`);
				expect(status.status).toBe(200);
			}
		}
	});

	it('keeps one copy when an owner uploads the same bytes twice', async () => {
		const device = await newDevice(suite.app);
		const file = samplePhoto(10_000, 6);
		for (let i = 0; i < 2; i++) {
			const location = await created(suite.app, device, file);
			expect((await patch(suite.app, device, location, 0, file)).status).toBe(204);
		}
		const rows = await storedRows(sha256(file));
		expect(rows).toHaveLength(1);
		const kept = (await readdir(dir)).filter((n) => !n.endsWith('.json'));
		expect(kept).toContain(rows[0]!.storageKey);
	});
});
