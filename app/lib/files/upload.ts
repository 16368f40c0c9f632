/**
 * Photos and documents kept on the device (Dexie `files`) and sent to the server over tus,
 * resumably: the upload URL is stored as soon as the server gives it, so a reload, a
 * closed tab or a cut link continues from the bytes the server already has.
 */
import { v7 as uuidv7 } from 'uuid';
import { Upload, type DetailedError, type HttpRequest } from 'tus-js-client';
import * as v from 'valibot';
import { ErrorCode } from '../../../shared/errors';
import { FileStatus, FILES_PATH, tusSigningBody, UPLOAD_CHUNK_BYTES } from '../../../shared/files';
import type { DalaDatabase, DeviceIdentity, StoredFile } from '../db/database';
import { deviceRequestHeaders } from '../device-request';
import { serverClock, type ServerClock } from '../server-clock';
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
	/** The server's clock as the device knows it, to sign by; the page's by default. */
	clock?: ServerClock;
	/** The person's access token, shown on every request (protocol 3); none when signed out. */
	accessToken?: string;
}

/**
 * The file could not be sent now (offline, server down, a limit, or this app too old for
 * the server: `code` is then `unsupported_protocol`); it stays queued.
 */
export class UploadInterrupted extends Error {
	name = 'UploadInterrupted';
	constructor(
		message: string,
		readonly code?: string,
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

/**
 * Signs a tus request with the device key, over the tus headers in place of the body, by
 * the server's clock. tus-js-client calls this before every request, retries included, so
 * each attempt has its own nonce and a time the last answer corrected.
 */
async function sign(
	req: HttpRequest,
	identity: DeviceIdentity,
	clock: ServerClock,
	accessToken: string | undefined
) {
	const url = new URL(req.getURL());
	const headers = await deviceRequestHeaders(identity, clock, {
		method: req.getMethod(),
		pathAndQuery: url.pathname + url.search,
		body: tusSigningBody({ get: (name) => req.getHeader(name) })
	});
	if (accessToken) headers['Authorization'] = `Bearer ${accessToken}`;
	for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
}

function statusOf(error: unknown): number {
	return (error as DetailedError).originalResponse?.getStatus() ?? 0;
}

/** The error code of the server's answer, when it is one of ours. */
function codeOf(error: unknown): string | undefined {
	try {
		const body = JSON.parse((error as DetailedError).originalResponse?.getBody() ?? '') as {
			error?: { code?: unknown };
		};
		return typeof body.error?.code === 'string' ? body.error.code : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Refusals of the session shown, not of the file: no retry of this upload can help, the
 * sender renews the session or stops until the person signs in (sync/file-sender.ts).
 */
const SESSION_REFUSALS = new Set<string | undefined>([
	ErrorCode.sessionExpired,
	ErrorCode.sessionInvalid,
	ErrorCode.deviceRevoked
]);

/** This app speaks a protocol the server no longer serves: nothing about the file. */
const UPDATE_REQUIRED = 426;

/**
 * A 4xx is the server's final word on this file, except a conflict or lock (try again), a
 * refused signature (401: the device is registered again, or its clock corrected from the
 * refusal, and the retry is signed afresh), an outdated app (426) and a limit (429: too
 * many uploads at once, or too fast, only says "later").
 */
function isRefusal(status: number): boolean {
	return status >= 400 && status < 500 && ![401, 409, 423, 429, UPDATE_REQUIRED].includes(status);
}

/**
 * Sends one stored file, resuming where the server stopped, and resolves with its final
 * row: `uploaded` (verified by the server) or `refused` (with the server's code). Rejects
 * with UploadInterrupted when the link stays down; the file stays `waiting`.
 */
export async function uploadFile(options: UploadOptions): Promise<StoredFile> {
	const { db, identity, fileId, onProgress, signal, clock = serverClock, accessToken } = options;
	const origin = options.origin ?? location.origin;
	const file = await db.files.get(fileId);
	if (!file) throw new Error(`no stored file ${fileId}`);
	if (file.state !== 'waiting') return file;

	const finish = async (change: Partial<StoredFile>) => {
		await db.files.update(fileId, change);
		return { ...file, ...change };
	};

	// The owner may have these bytes already (the same photo in two applications).
	const known =
		!file.uploadUrl && (await remoteFileStatus(origin, identity, file.sha256, clock, accessToken));
	if (known) {
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
			onBeforeRequest: (req) => sign(req, identity, clock, accessToken),
			onAfterResponse: (_req, res) => clock.observe({ get: (name) => res.getHeader(name) }),
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
			onShouldRetry: (error) => {
				const status = statusOf(error);
				if (status === 401 && SESSION_REFUSALS.has(codeOf(error))) return false;
				return status !== UPDATE_REQUIRED && status !== 429 && !isRefusal(status);
			},
			onSuccess: () => {
				finish({ state: 'uploaded', offset: file.size }).then(resolve, reject);
			},
			onError: (error) => {
				const status = statusOf(error);
				if (!isRefusal(status)) {
					const code = status === UPDATE_REQUIRED ? ErrorCode.unsupportedProtocol : codeOf(error);
					const response = (error as DetailedError).originalResponse;
					const retryAfter = response?.getHeader('Retry-After') ?? undefined;
					reject(new UploadInterrupted(error.message, code, status || undefined, retryAfter));
					return;
				}
				// Not our JSON: the generic code.
				const code = codeOf(error) ?? ErrorCode.invalidUpload;
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
	sha256: string,
	clock: ServerClock = serverClock,
	accessToken?: string
): Promise<FileStatus | undefined> {
	const path = `${FILES_PATH}/${sha256}`;
	try {
		const headers = await deviceRequestHeaders(identity, clock, {
			method: 'GET',
			pathAndQuery: path,
			body: tusSigningBody({ get: () => undefined })
		});
		if (accessToken) headers['Authorization'] = `Bearer ${accessToken}`;
		const response = await fetch(origin + path, { headers });
		clock.observe(response.headers);
		if (!response.ok) return undefined;
		const body: unknown = await response.json();
		return v.is(FileStatus, body) ? body : undefined;
	} catch {
		// Offline: an upload will find out for itself.
		return undefined;
	}
}
