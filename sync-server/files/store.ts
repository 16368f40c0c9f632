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

/** The store in a directory (`<dataDir>/files`): one file per upload and a `.json` beside it. */
export function directoryStore(directory: string): UploadStore {
	return new FileStore({ directory });
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
