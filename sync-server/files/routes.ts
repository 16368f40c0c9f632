/**
 * Photos and documents over tus 1.0 (resumable uploads), at /api/files:
 *
 * - `POST /api/files` creates an upload of a declared SHA-256, type and length;
 * - `HEAD` / `PATCH /api/files/:id` resume and append, for the device that created it only;
 * - `GET /api/files/:sha256` tells the owner whether that file arrived and was verified.
 *
 * Every request is signed by a registered device (shared/files.ts `tusSigningBody` says
 * what is signed and why the chunk bytes are not). When the last byte arrives, the server
 * hashes what it stored; only a file that is the declared SHA-256 and starts like its
 * declared type is recorded, anything else is deleted and refused. A file whose bytes all
 * arrived but whose recording failed (the database went away after the store wrote the
 * last chunk) is recorded by the next HEAD: the device resumes with one, and would
 * otherwise learn "complete" and meet file_missing for good.
 */
import { createHash } from 'node:crypto';
import { Metadata, Server, type Upload } from '@tus/server';
import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import { ErrorCode } from '../../shared/errors';
import {
	FILES_PATH,
	FILE_TYPES,
	hasMagic,
	isFileType,
	MAGIC_BYTES,
	MAX_FILE_BYTES,
	Sha256,
	tusSigningBody,
	UploadMetadata,
	type FileStatus
} from '../../shared/files';
import type { Database } from '../db/open';
import { devices, files } from '../db/schema';
import { deviceSession } from '../accounts/sessions';
import { protocolHeader, verifiedDevice, type DeviceAuth } from '../devices/device-auth';
import type { Sightings } from '../devices/sightings';
import { connectionFailureOf } from '../db/connection-failure';
import { databaseUnavailable, errorResponse, httpError, ServerErrorCode } from '../http/errors';
import type { Logger } from '../http/log';
import type { Transaction } from '../db/open';
import type { UploadStore } from './store';
import { rateLimited, type RequestLimits } from '../http/rate-limit';
import { isUploadId, newUploadId, releaseUpload, reserveUpload } from './upload-quota';

// A device at its quota of unfinished uploads is told to come back in an hour: its slots
// free when an upload finishes or expires, and it has no other upload to finish meanwhile.
const QUOTA_RETRY_AFTER_S = 60 * 60;

/**
 * Why a file is refused. Thrown from a tus hook, tus answers with `status_code` and
 * `body`; thrown from a route, `asHttpError` gives it the shape of every other refusal.
 */
class Refusal extends Error {
	readonly status_code: ContentfulStatusCode;
	readonly body: string;
	constructor(
		status: ContentfulStatusCode,
		readonly code: ErrorCode | ServerErrorCode,
		message: string
	) {
		super(message);
		this.status_code = status;
		this.body = JSON.stringify({ error: { code, message } });
	}
}

/** A Refusal as the HTTPException a route throws; any other error unchanged. */
function asHttpError(error: unknown): unknown {
	return error instanceof Refusal ? httpError(error.status_code, error.code, error.message) : error;
}

/** The device that signed a files request, checked as a sync call is but over the tus headers. */
function authenticateUpload(auth: DeviceAuth) {
	return createMiddleware<{ Variables: { deviceId: string } }>(async (c, next) => {
		const headers = c.req.raw.headers;
		c.set('deviceId', await verifiedDevice(auth, c.req.raw, () => tusSigningBody(headers)));
		await next();
	});
}

/** The SHA-256 (hex) of a stored upload and its first bytes. */
async function digestOf(store: UploadStore, id: string) {
	const hash = createHash('sha256');
	const head: Buffer[] = [];
	let headLength = 0;
	for await (const chunk of await store.read(id)) {
		const bytes = chunk as Buffer;
		hash.update(bytes);
		if (headLength < MAGIC_BYTES) {
			head.push(bytes.subarray(0, MAGIC_BYTES - headLength));
			headLength += Math.min(bytes.length, MAGIC_BYTES - headLength);
		}
	}
	return { sha256: hash.digest('hex'), head: new Uint8Array(Buffer.concat(head)) };
}

/** The tus endpoint and the status endpoint, for devices that `auth` authenticates. */
export function fileRoutes(
	db: Database,
	auth: DeviceAuth,
	store: UploadStore,
	log: Logger,
	{ limits, limiter }: RequestLimits,
	sightings: Sightings
) {
	/**
	 * The owner a device belongs to, or undefined for a device not registered here. In a
	 * transaction (`q`), the device row stays share locked to its end, so a link (which
	 * locks it for update) cannot move it meanwhile.
	 */
	const ownerOf = async (deviceId: string, q: Database | Transaction = db) => {
		const [row] = await q
			.select({ ownerId: devices.ownerId })
			.from(devices)
			.where(eq(devices.id, deviceId))
			.for('share');
		return row?.ownerId;
	};
	const unknownDevice = () =>
		new Refusal(401, ErrorCode.unknownDevice, 'This device is not registered here.');
	// The device each request was authenticated as, for the tus hooks (which see only the
	// Request). Keyed by the Request object itself, so it lives exactly as long as it does.
	const signedBy = new WeakMap<Request, string>();
	// The id reserved for an upload this request creates (upload-quota.ts), which tus then
	// gives the upload, so the quota row and the stored upload share one key.
	const reservedId = new WeakMap<Request, string>();

	const tus = new Server({
		path: FILES_PATH,
		datastore: store,
		relativeLocation: true,
		namingFunction(req) {
			const id = reservedId.get(req as unknown as Request);
			if (!id) throw new Refusal(400, ErrorCode.invalidUpload, 'No upload was reserved.');
			return id;
		},
		maxSize: MAX_FILE_BYTES,
		// A verified file is referred to by the files table; it is never deleted by a device.
		disableTerminationForFinishedUploads: true,
		async onUploadCreate(req, upload) {
			const deviceId = signedBy.get(req as unknown as Request);
			if (!deviceId) throw new Refusal(401, ErrorCode.badSignature, 'Not authenticated.');
			// The uploader is recorded with the upload: only it may append or resume.
			return { metadata: { ...upload.metadata, device: deviceId } };
		},
		async onUploadFinish(_req, upload) {
			try {
				await verifyUpload(upload);
			} catch (error) {
				// The bytes are whole in the store; the device's next HEAD records them.
				const lost = connectionFailureOf(error);
				if (!lost) throw error;
				log.warn('database unavailable', { error: lost, upload: upload.id });
				throw new Refusal(
					503,
					ServerErrorCode.databaseUnavailable,
					'The database is unavailable for a moment; try again.'
				);
			}
			return {};
		}
	});

	/**
	 * Hashes what was stored and records it; deletes and refuses a file that is not what
	 * its device declared. Runs when the last byte arrived, and again from a HEAD when that
	 * run could not record it.
	 */
	async function verifyUpload(upload: Upload) {
		// Finished, whatever the verdict: it no longer holds a place in the device's quota.
		await releaseUpload(db, upload.id);
		const { sha256, type, device } = upload.metadata ?? {};
		if (!sha256 || !type || !device || !isFileType(type)) {
			await store.remove(upload.id);
			throw new Refusal(400, ErrorCode.invalidUpload, 'The upload has no valid metadata.');
		}
		const stored = await digestOf(store, upload.id);
		if (stored.sha256 !== sha256) {
			await store.remove(upload.id);
			throw new Refusal(
				422,
				ErrorCode.fileHashMismatch,
				`The bytes received hash to ${stored.sha256}, not the declared ${sha256}.`
			);
		}
		if (!hasMagic(type, stored.head)) {
			await store.remove(upload.id);
			throw new Refusal(415, ErrorCode.fileTypeMismatch, `The file is not a ${type}.`);
		}
		// The owner is read under a share lock on the device row, which linking locks for
		// update: the file is recorded either before a link (and moves with the owner's
		// files) or after it (under the new owner), never under an owner the device has
		// left, where a submission naming it would be refused file_missing.
		const kept = await db.transaction(async (tx) => {
			const ownerId = await ownerOf(device, tx);
			if (!ownerId) throw unknownDevice();
			const [inserted] = await tx
				.insert(files)
				.values({
					ownerId,
					sha256,
					size: upload.size ?? upload.offset,
					type,
					deviceId: device,
					storageKey: upload.id
				})
				.onConflictDoNothing()
				.returning({ storageKey: files.storageKey });
			if (inserted) return inserted.storageKey;
			const [first] = await tx
				.select({ storageKey: files.storageKey })
				.from(files)
				.where(and(eq(files.ownerId, ownerId), eq(files.sha256, sha256)));
			return first?.storageKey;
		});
		// The owner already had these bytes: keep the first copy, drop this one. Unless the
		// first copy is this very upload, recorded meanwhile by a HEAD or PATCH beside us.
		if (kept !== upload.id) await store.remove(upload.id);
	}

	/**
	 * Records an upload whose bytes all arrived but which its owner has no record of: its
	 * last PATCH wrote them and then could not reach the database. Such an upload answers
	 * HEAD "complete", so the device would call it sent and its submission would be
	 * refused file_missing. Re-hashed and checked as on arrival; refused the same way.
	 */
	async function recoverUnrecorded(upload: Upload, deviceId: string) {
		if (upload.size === undefined || upload.offset < upload.size) return;
		const sha256 = upload.metadata?.sha256;
		const ownerId = await ownerOf(deviceId);
		if (!ownerId) throw unknownDevice();
		if (sha256) {
			const [recorded] = await db
				.select({ sha256: files.sha256 })
				.from(files)
				.where(and(eq(files.ownerId, ownerId), eq(files.sha256, sha256)));
			if (recorded) return;
		}
		log.info('recording an upload its last PATCH left unrecorded', { upload: upload.id });
		await verifyUpload(upload);
	}

	/**
	 * Hands a request to tus and gives its refusals the shape of every other API error.
	 * tus writes plain-text bodies; ours (from the hooks above) are already JSON.
	 */
	async function forward(request: Request, deviceId: string): Promise<Response> {
		signedBy.set(request, deviceId);
		const response = await tus.handleWeb(request);
		if (response.status < 400) return response;
		const text = await response.text();
		try {
			const body = JSON.parse(text) as {
				error: { code: ErrorCode | ServerErrorCode; message: string };
			};
			if (body.error.code === ServerErrorCode.databaseUnavailable) return databaseUnavailable();
			return errorResponse(response.status as 400, body.error);
		} catch {
			// tus's own refusal, e.g. 409 for a wrong offset, 404 for an unknown upload.
		}
		if (response.status >= 500) {
			log.error('tus failed', { status: response.status, body: text });
			return errorResponse(500, { code: ErrorCode.internal, message: 'Internal error' });
		}
		const code =
			response.status === 404 || response.status === 410
				? ErrorCode.notFound
				: response.status === 413
					? ErrorCode.fileTooLarge
					: ErrorCode.invalidUpload;
		const res = errorResponse(response.status as 400, { code, message: text.trim() });
		res.headers.set('Tus-Resumable', '1.0.0');
		return res;
	}

	/** The upload, or 404 unless it exists and this device created it: never says which. */
	async function ownUpload(id: string, deviceId: string): Promise<Upload> {
		// Checked before the store sees it: the id becomes a file name or an S3 key.
		const upload = isUploadId(id) ? await store.getUpload(id).catch(() => undefined) : undefined;
		if (!upload || upload.metadata?.device !== deviceId) {
			throw httpError(404, ErrorCode.notFound, 'No such upload.');
		}
		return upload;
	}

	return (
		new Hono<{ Variables: { deviceId: string } }>()
			.use('*', protocolHeader, authenticateUpload(auth), deviceSession(db, sightings))
			.post('/', async (c) => {
				// Checked here, before tus creates anything, so the refusals carry our codes.
				if (c.req.header('Upload-Concat') || c.req.header('Upload-Defer-Length')) {
					throw httpError(400, ErrorCode.invalidUpload, 'Declare the length of the file.');
				}
				const length = c.req.header('Upload-Length') ?? '';
				if (!/^\d{1,10}$/.test(length)) {
					throw httpError(400, ErrorCode.invalidUpload, 'Upload-Length is required.');
				}
				if (Number(length) > MAX_FILE_BYTES) {
					throw httpError(
						413,
						ErrorCode.fileTooLarge,
						`A file may have at most ${MAX_FILE_BYTES} bytes.`
					);
				}
				let declared: Record<string, string | null>;
				try {
					declared = Metadata.parse(c.req.header('Upload-Metadata') ?? '');
				} catch {
					throw httpError(400, ErrorCode.invalidUpload, 'Upload-Metadata is malformed.');
				}
				if (typeof declared.type === 'string' && !isFileType(declared.type)) {
					throw httpError(
						415,
						ErrorCode.fileTypeNotAllowed,
						`Accepted types: ${Object.keys(FILE_TYPES).join(', ')}.`
					);
				}
				if (!v.is(UploadMetadata, declared)) {
					throw httpError(
						400,
						ErrorCode.invalidUpload,
						'Upload-Metadata must name the sha256 (hex) and type of the file, and nothing else.'
					);
				}
				// Limits after every check of the request itself: a malformed one costs no place.
				await limiter.check('uploadCreate', c.var.deviceId);
				const id = newUploadId();
				const upload = { id, deviceId: c.var.deviceId, size: Number(length) };
				if (!(await reserveUpload(db, limits.unfinishedUploads, upload))) {
					const { count, bytes } = limits.unfinishedUploads;
					throw rateLimited(
						QUOTA_RETRY_AFTER_S,
						`A device may have at most ${count} unfinished uploads of at most ${bytes} bytes together: finish one first.`,
						ErrorCode.tooManyUploads
					);
				}
				reservedId.set(c.req.raw, id);
				const response = await forward(c.req.raw, c.var.deviceId);
				if (response.status >= 400) await releaseUpload(db, id);
				return response;
			})
			.patch('/:id', async (c) => {
				await ownUpload(c.req.param('id'), c.var.deviceId);
				return forward(c.req.raw, c.var.deviceId);
			})
			.delete('/:id', async (c) => {
				const id = c.req.param('id');
				await ownUpload(id, c.var.deviceId);
				const response = await forward(c.req.raw, c.var.deviceId);
				if (response.ok) await releaseUpload(db, id);
				return response;
			})
			// Hono answers HEAD with the GET route (and drops the body): tus's HEAD is here too.
			.get('/:key', async (c) => {
				const key = c.req.param('key');
				if (c.req.method === 'HEAD') {
					const upload = await ownUpload(key, c.var.deviceId);
					await recoverUnrecorded(upload, c.var.deviceId).catch((error: unknown) => {
						throw asHttpError(error);
					});
					return forward(c.req.raw, c.var.deviceId);
				}
				if (!v.is(Sha256, key)) throw httpError(404, ErrorCode.notFound, 'No such file.');
				const ownerId = await ownerOf(c.var.deviceId);
				if (!ownerId) throw asHttpError(unknownDevice());
				const [row] = await db
					.select({ sha256: files.sha256, size: files.size, type: files.type })
					.from(files)
					.where(and(eq(files.ownerId, ownerId), eq(files.sha256, key)));
				if (!row || !isFileType(row.type)) {
					throw httpError(404, ErrorCode.notFound, 'No such file.');
				}
				return c.json({ ...row, type: row.type, verified: true } satisfies FileStatus);
			})
	);
}
