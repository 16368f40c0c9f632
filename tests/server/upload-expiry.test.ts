/**
 * Unfinished uploads a device abandoned are swept after the expiry; finished files, which
 * applications point at, never are.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@tus/utils';
import { afterEach, describe, expect, it } from 'vitest';
import { directoryStore, sweepUnfinishedUploads } from '../../sync-server/files/store';

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
