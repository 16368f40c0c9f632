/**
 * Where uploaded bytes live: a directory by default, an S3-compatible bucket when the
 * environment names one. Either way a file is kept under its tus upload id, and the
 * `files` table maps an owner's SHA-256 to that id once the bytes were verified.
 */
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import type { DataStore } from '@tus/server';

/** A tus data store that can also hand back what it stored, to be hashed. */
export type UploadStore = DataStore & {
	read(id: string): Readable | Promise<Readable>;
};

/**
 * How long an unfinished upload is kept from its start. A device offline for a week
 * resumes it; after this the bytes are swept, and the device, finding the upload gone
 * (410), starts it again from its own copy, which it keeps until the server has the file.
 */
export const UNFINISHED_UPLOAD_MS = 14 * 24 * 60 * 60 * 1000;

/** The store in a directory (`<dataDir>/files`): one file per upload and a `.json` beside it. */
export function directoryStore(
	directory: string,
	expirationPeriodInMilliseconds = UNFINISHED_UPLOAD_MS
): UploadStore {
	return new FileStore({ directory, expirationPeriodInMilliseconds });
}

/**
 * Deletes the unfinished uploads older than the store's expiry; finished ones are never
 * touched. Resolves to how many were deleted.
 */
export async function sweepUnfinishedUploads(store: UploadStore): Promise<number> {
	if (!(store instanceof FileStore)) {
		return store.hasExtension('expiration') ? store.deleteExpired() : 0;
	}
	// Not FileStore's own deleteExpired: it reads the offset recorded when the upload was
	// created (always 0), so it would delete finished files with the unfinished ones.
	const expiry = store.getExpiration();
	if (expiry <= 0) return 0;
	let deleted = 0;
	const ids = await Promise.resolve(store.configstore.list?.()).catch((error: unknown) => {
		// No upload yet on a new server: the directory is made with the first one.
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw error;
	});
	for (const id of ids ?? []) {
		// The recorded age first: it costs no stat, and most uploads are young or finished.
		const recorded = await store.configstore.get(id);
		if (!recorded?.creation_date || Date.now() - Date.parse(recorded.creation_date) <= expiry) {
			continue;
		}
		// getUpload takes the offset from the bytes on disk.
		const upload = await store.getUpload(id).catch(() => undefined);
		if (!upload || upload.size === undefined || upload.offset >= upload.size) continue;
		await store.remove(id);
		deleted++;
	}
	return deleted;
}

/** Environment variables that select and configure the S3-compatible store. */
export interface S3Env {
	S3_BUCKET?: string;
	S3_ENDPOINT?: string;
	S3_REGION?: string;
	S3_ACCESS_KEY_ID?: string;
	S3_SECRET_ACCESS_KEY?: string;
}

/**
 * The upload store the environment asks for: S3 when `S3_BUCKET` is set, else the
 * directory `<dataDir>/files`. The AWS SDK is loaded only when S3 is used.
 */
export async function uploadStoreFromEnv(
	env: S3Env,
	dataDir: string
): Promise<{ store: UploadStore; description: string }> {
	const bucket = env.S3_BUCKET;
	if (!bucket) {
		const directory = join(dataDir, 'files');
		return { store: directoryStore(directory), description: directory };
	}
	const { S3Store } = await import('@tus/s3-store');
	const credentials =
		env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
			? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
			: undefined; // else the SDK's default chain (instance role, AWS_* variables)
	const store = new S3Store({
		// Unfinished multipart uploads expire through the bucket's object tags.
		expirationPeriodInMilliseconds: UNFINISHED_UPLOAD_MS,
		s3ClientConfig: {
			bucket,
			region: env.S3_REGION || 'us-east-1',
			...(env.S3_ENDPOINT
				? // MinIO, Ceph and most non-AWS services address buckets by path.
					{ endpoint: env.S3_ENDPOINT, forcePathStyle: true }
				: {}),
			...(credentials ? { credentials } : {})
		}
	});
	return { store, description: `s3://${bucket}${env.S3_ENDPOINT ? ` at ${env.S3_ENDPOINT}` : ''}` };
}
