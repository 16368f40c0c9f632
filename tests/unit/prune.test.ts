import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DalaDatabase, type StoredFile } from '../../app/lib/db/database';
import { createDraft, startAmendment } from '../../app/lib/drafts/start-draft';
import { submitDraft } from '../../app/lib/drafts/submit-draft';
import { KEEP_DELIVERED_MS, pruneDeliveredPhotos } from '../../app/lib/files/prune';
import type { ApplicationState } from '../../shared/protocol';

let db: DalaDatabase;
let n = 0;
beforeEach(async () => {
	db = openDatabase(`prune-test-${n++}`);
	await db.open();
});
afterEach(() => db.delete());

const NOW = Date.UTC(2026, 10, 27);
const OLD = NOW - KEEP_DELIVERED_MS - 1;

function file(id: string, draftId: string, state: StoredFile['state'], createdAt: number) {
	return db.files.add({
		id,
		draftId,
		field: 'sitePhoto',
		sha256: id.padEnd(64, '0'),
		type: 'image/jpeg',
		size: 3,
		blob: new Blob(['abc']),
		state,
		offset: state === 'uploaded' ? 3 : 0,
		createdAt
	});
}

function received(id: string) {
	return db.mirror.add({ id } as ApplicationState);
}

describe('photos leaving the device', () => {
	it('deletes only old photos the server verified for an application it received', async () => {
		await received('a');
		await file('1', 'a', 'uploaded', OLD); // delivered and old: goes
		await file('2', 'a', 'uploaded', NOW - 1000); // delivered, recent: stays a while
		await file('3', 'a', 'waiting', OLD); // not on the server yet: stays
		await file('4', 'a', 'refused', OLD); // the person must replace it: stays
		await file('5', 'draft', 'uploaded', OLD); // its application not received yet: stays

		expect(await pruneDeliveredPhotos(db, NOW)).toBe(1);
		expect((await db.files.toArray()).map((f) => f.id).sort()).toEqual(['2', '3', '4', '5']);
	});

	it('prunes a correction’s new photo with its application’s, once delivered', async () => {
		const application = {
			id: 'a',
			serviceId: 'trade-outlet-permit',
			serviceVersion: 1,
			version: 1,
			answers: {}
		} as unknown as ApplicationState;
		await db.mirror.add(application);
		const correction = await startAmendment(db, application);
		await file('6', correction.id, 'uploaded', OLD);
		await submitDraft(db, correction.id, { sitePhoto: '6'.padEnd(64, '0') });

		expect(await pruneDeliveredPhotos(db, NOW)).toBe(1);
		expect(await db.files.count()).toBe(0);
	});

	it('drops a replaced photo when the draft is sent, keeping the one its answer names', async () => {
		const draft = await createDraft(db, 'trade-outlet-permit', 1);
		await file('7', draft.id, 'waiting', NOW); // taken first, then replaced
		await file('8', draft.id, 'waiting', NOW);
		await submitDraft(db, draft.id, { sitePhoto: '8'.padEnd(64, '0') });

		expect((await db.files.toArray()).map((f) => [f.id, f.draftId])).toEqual([['8', draft.id]]);
	});
});
