/**
 * Photos and documents kept on the device (Dexie `files`) and sent to the server over tus,
 * resumably: the upload URL is stored as soon as the server gives it, so a reload, a
 * closed tab or a cut link continues from the bytes the server already has.
 */
import { v7 as uuidv7 } from 'uuid';
import { Upload, type DetailedError, type HttpRequest } from 'tus-js-client';
import * as v from 'valibot';
import { signRequest } from '../../../shared/device-signature';
import { ErrorCode } from '../../../shared/errors';
import { FileStatus, FILES_PATH, tusSigningBody, UPLOAD_CHUNK_BYTES } from '../../../shared/files';
import { Header, PROTOCOL_VERSION } from '../../../shared/protocol';
import type { DalaDatabase, DeviceIdentity, StoredFile } from '../db/database';
import type { PreparedFile } from './prepare';

/** Keeps a prepared file on the device, waiting to be uploaded; resolves to its id. */
export async function storeFile(
	db: DalaDatabase,
	draftId: string,
	field: string,
	file: PreparedFile
): Promise<string> {
	const id = uuidv7();
	await db.files.add({
		id,
		draftId,
		field,
		sha256: file.sha256,
		type: file.type,
		size: file.size,
		blob: file.blob,
		state: 'waiting',
		offset: 0,
		createdAt: Date.now()
	});
	return id;
}

export interface UploadOptions {
	db: DalaDatabase;
	identity: DeviceIdentity;
	/** The id `storeFile` gave. */
	fileId: string;
	/** The server's origin; the page's by default. */
	origin?: string;
	/** Bytes the server has (or is being sent) of the whole file. */
	onProgress?: (sent: number, total: number) => void;
	/** Stops the upload; what was sent stays on the server for the next attempt. */
	signal?: AbortSignal;
	chunkSize?: number;
	/** Waits between attempts after a failure; when they run out, `uploadFile` rejects. */
	retryDelays?: number[];
}

/** The file could not be sent now (offline, server down, a limit); it stays queued. */
export class UploadInterrupted extends Error {
	name = 'UploadInterrupted';
	constructor(
		message: string,
		/** The server's answer, when it gave one: a 429 says how long to wait. */
		readonly status?: number,
		/** Its `Retry-After` header, as sent. */
		readonly retryAfter?: string
	) {
		super(message);
	}
}

// 1 s doubling to a minute: a 2G link that drops for a few seconds costs one short wait,
// and a long outage leaves ~4 minutes of attempts before the caller reschedules.
const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15_000, 30_000, 30_000, 60_000, 60_000];

/** Signs a tus request with the device key, over the tus headers in place of the body. */
async function sign(req: HttpRequest, identity: DeviceIdentity): Promise<void> {
	const url = new URL(req.getURL());
	const signature = await signRequest(
		identity.privateKey,
		req.getMethod(),
		url.pathname + url.search,
		tusSigningBody({ get: (name) => req.getHeader(name) })
	);
	req.setHeader(Header.signature, signature);
}

function statusOf(error: unknown): number {
	return (error as DetailedError).originalResponse?.getStatus() ?? 0;
}

/**
 * A 4xx other than a conflict, a lock or a limit is the server's final word on this file.
 * A limit (429: too many uploads at once, or too fast) only says "later".
 */
function isRefusal(status: number): boolean {
	return (
		status >= 400 &&
		status < 500 &&
		status !== 409 &&
		status !== 423 &&
		status !== 401 &&
		status !== 429
	);
}

/**
 * Sends one stored file, resuming where the server stopped, and resolves with its final
 * row: `uploaded` (verified by the server) or `refused` (with the server's code). Rejects
 * with UploadInterrupted when the link stays down; the file stays `waiting`.
 */
export async function uploadFile(options: UploadOptions): Promise<StoredFile> {
	const { db, identity, fileId, onProgress, signal } = options;
	const origin = options.origin ?? location.origin;
	const file = await db.files.get(fileId);
	if (!file) throw new Error(`no stored file ${fileId}`);
	if (file.state !== 'waiting') return file;

	const finish = async (change: Partial<StoredFile>) => {
		await db.files.update(fileId, change);
		return { ...file, ...change };
	};

	// The owner may have these bytes already (the same photo in two applications).
	if (!file.uploadUrl && (await remoteFileStatus(origin, identity, file.sha256))) {
		onProgress?.(file.size, file.size);
		return finish({ state: 'uploaded', offset: file.size });
	}

	return new Promise<StoredFile>((resolve, reject) => {
		const upload = new Upload(file.blob, {
			endpoint: origin + FILES_PATH,
			uploadUrl: file.uploadUrl ?? null,
			chunkSize: options.chunkSize ?? UPLOAD_CHUNK_BYTES,
			retryDelays: options.retryDelays ?? RETRY_DELAYS,
			metadata: { sha256: file.sha256, type: file.type },
			// The URL lives in Dexie with the file, not in tus-js-client's localStorage.
			storeFingerprintForResuming: false,
			headers: {
				[Header.protocol]: String(PROTOCOL_VERSION),
				[Header.device]: identity.id
			},
			onBeforeRequest: (req) => sign(req, identity),
			onUploadUrlAvailable: () => {
				void db.files.update(fileId, { uploadUrl: upload.url ?? undefined });
			},
			onChunkComplete: (_chunk, accepted) => {
				void db.files.update(fileId, { offset: accepted });
			},
			onProgress: (sent, total) => onProgress?.(sent, total),
			// tus-js-client gives up at once while navigator.onLine is false; a 2G link
			// reports offline for a moment often, so the delays decide instead.
			// A limit is waited out by the sync engine, as long as the server asks, not here.
			onShouldRetry: (error) => !isRefusal(statusOf(error)) && statusOf(error) !== 429,
			onSuccess: () => {
				finish({ state: 'uploaded', offset: file.size }).then(resolve, reject);
			},
			onError: (error) => {
				const status = statusOf(error);
				if (!isRefusal(status)) {
					const response = (error as DetailedError).originalResponse;
					const retryAfter = response?.getHeader('Retry-After') ?? undefined;
					reject(new UploadInterrupted(error.message, status || undefined, retryAfter));
					return;
				}
				let code: string = ErrorCode.invalidUpload;
				try {
					const body = JSON.parse((error as DetailedError).originalResponse!.getBody()) as {
						error?: { code?: string };
					};
					code = body.error?.code ?? code;
				} catch {
					// not our JSON: keep the generic code
				}
				// A refused upload is gone on the server: a retry starts a new one.
				finish({ state: 'refused', refusal: code, uploadUrl: undefined }).then(resolve, reject);
			}
		});
		signal?.addEventListener('abort', () => {
			void upload.abort().then(() => reject(new UploadInterrupted('aborted')));
		});
		upload.start();
	});
}

/**
 * What the server holds of this owner's file with this hash: its status once the file
 * arrived whole and verified, undefined when not (yet), or when the server cannot be
 * reached. How the device tells whether all of an application's files arrived.
 */
export async function remoteFileStatus(
	origin: string,
	identity: DeviceIdentity,
	sha256: string
): Promise<FileStatus | undefined> {
	const path = `${FILES_PATH}/${sha256}`;
	try {
		const signature = await signRequest(
			identity.privateKey,
			'GET',
			path,
			tusSigningBody({ get: () => undefined })
		);
		const response = await fetch(origin + path, {
			headers: {
				[Header.protocol]: String(PROTOCOL_VERSION),
				[Header.device]: identity.id,
				[Header.signature]: signature
			}
		});
		if (!response.ok) return undefined;
		const body: unknown = await response.json();
		return v.is(FileStatus, body) ? body : undefined;
	} catch {
		// Offline: an upload will find out for itself.
		return undefined;
	}
}
