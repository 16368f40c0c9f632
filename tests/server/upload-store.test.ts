/**
 * Unfinished uploads a device abandoned are swept after the expiry; finished files, which
 * applications point at, never are. And the store is the one the environment names.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@tus/utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { FileStore } from '@tus/file-store';
import { S3Store } from '@tus/s3-store';
import {
	directoryStore,
	sweepUnfinishedUploads,
	UNFINISHED_UPLOAD_MS,
	uploadStoreFromEnv
} from '../../sync-server/files/store';

const DAY = 24 * 60 * 60 * 1000;
let dir: string | undefined;
afterEach(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

async function upload(
	store: ReturnType<typeof directoryStore>,
	id: string,
	ageMs: number,
	bytes: Buffer,
	size: number
) {
	await store.create(
		new Upload({ id, size, offset: 0, creation_date: new Date(Date.now() - ageMs).toISOString() })
	);
	await store.write(Readable.from([bytes]), id, 0);
}

describe('sweeping unfinished uploads', () => {
	it('deletes an old unfinished upload and keeps a finished or recent one', async () => {
		dir = await mkdtemp(join(tmpdir(), 'dala-uploads-'));
		const store = directoryStore(dir, 7 * DAY);
		await upload(store, 'abandoned', 8 * DAY, Buffer.from('half of'), 100);
		await upload(store, 'finished', 30 * DAY, Buffer.from('all of it'), 9);
		await upload(store, 'recent', 1 * DAY, Buffer.from('half of'), 100);
		expect(await sweepUnfinishedUploads(store)).toBe(1);
		const left = (await readdir(dir)).filter((name) => !name.endsWith('.json')).sort();
		expect(left).toEqual(['finished', 'recent']);
	});
});

describe('sweeping a new server', () => {
	it('finds nothing to sweep before the first upload made the directory', async () => {
		dir = await mkdtemp(join(tmpdir(), 'dala-uploads-'));
		expect(await sweepUnfinishedUploads(directoryStore(join(dir, 'files')))).toBe(0);
	});
});

describe('choosing the upload store', () => {
	it('keeps files under DATA_DIR/files unless a bucket is named', async () => {
		dir = await mkdtemp(join(tmpdir(), 'dala-uploads-'));
		const { store, description } = await uploadStoreFromEnv({}, dir);
		expect(store).toBeInstanceOf(FileStore);
		expect(description).toBe(join(dir, 'files'));
	});

	// No S3-compatible server can be installed here (npm's emulators lack multipart
	// ListParts), so this checks the configuration the store is built with, not a bucket.
	it('uses an S3-compatible bucket by path, with the expiry, when S3_BUCKET is set', async () => {
		const { store, description } = await uploadStoreFromEnv(
			{
				S3_BUCKET: 'dala-files',
				S3_ENDPOINT: 'http://127.0.0.1:9000',
				S3_REGION: 'kz-ala-1',
				S3_ACCESS_KEY_ID: 'key',
				S3_SECRET_ACCESS_KEY: 'secret'
			},
			'/unused'
		);
		expect(store).toBeInstanceOf(S3Store);
		const s3 = store as unknown as S3Store & { bucket: string; client: S3Client };
		expect(s3.bucket).toBe('dala-files');
		expect(s3.getExpiration()).toBe(UNFINISHED_UPLOAD_MS);
		expect(s3.client.config.forcePathStyle).toBe(true);
		expect(await s3.client.config.region()).toBe('kz-ala-1');
		const endpoint = await s3.client.config.endpoint!();
		expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe(
			'http://127.0.0.1:9000'
		);
		expect(await s3.client.config.credentials()).toMatchObject({
			accessKeyId: 'key',
			secretAccessKey: 'secret'
		});
		expect(description).toBe('s3://dala-files at http://127.0.0.1:9000');
	});
});
