/**
 * The engine sends an application's photos before the mutation that names them, holds a
 * mutation whose photos have not all arrived without holding other applications, and
 * gives a released one a seq the server still takes (app/lib/sync/attachments.ts).
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
	getMeta,
	openDatabase,
	type DalaDatabase,
	type StoredFile,
	type UploadProgress
} from '../../app/lib/db/database';
import { reviseRejected } from '../../app/lib/drafts/revise-rejected';
import { createDraft, startAmendment } from '../../app/lib/drafts/start-draft';
import { submitDraft } from '../../app/lib/drafts/submit-draft';
import { refusedPhotos } from '../../app/lib/files/refused';
import { storeFile } from '../../app/lib/files/upload';
import type { FileSender } from '../../app/lib/sync/attachments';
import { SyncEngine } from '../../app/lib/sync/engine';
import { SyncError, type SyncTransport } from '../../app/lib/sync/transport';
import type { ApplicationState, Mutation, MutationResult } from '../../shared/protocol';
import { tradeOutletPermit } from '../../shared/services/trade-outlet-permit';

let db: DalaDatabase;
let n = 0;
beforeEach(async () => {
	db = openDatabase(`attachments-test-${n++}`);
	await db.open();
});
afterEach(() => db.delete());

function state(m: Mutation, version = 1): ApplicationState {
	return {
		id: m.applicationId,
		serviceId: 'trade-outlet-permit',
		serviceVersion: 1,
		status: 'received',
		reference: `DL-2026-${String(m.seq).padStart(6, '0')}`,
		version,
		answers: m.answers as Record<string, string>,
		updatedAt: new Date(0).toISOString()
	};
}

/**
 * A server in a few lines that keeps the order rule of sync-server/sync/push.ts: a new
 * mutation must be above every seq seen from the device; a known id is answered again.
 */
class StrictServer implements SyncTransport {
	applied: Mutation[] = [];
	lastSeq = 0;
	known = new Map<string, MutationResult>();
	offline = false;

	async push(mutations: Mutation[]) {
		if (this.offline) throw new SyncError('offline', 'Failed to fetch');
		const late = mutations.find((m) => !this.known.has(m.id) && m.seq <= this.lastSeq);
		if (late) throw new SyncError('refused', 'out of order', 400, 'out_of_order');
		const results = mutations.map((m) => {
			const known = this.known.get(m.id);
			if (known) return known;
			this.applied.push(m);
			const result: MutationResult = { mutationId: m.id, status: 'applied', application: state(m) };
			this.known.set(m.id, result);
			return result;
		});
		this.lastSeq = Math.max(this.lastSeq, ...mutations.map((m) => m.seq));
		return { results, bytesSent: 100 };
	}
	async pull(cursor: string | undefined) {
		if (this.offline) throw new SyncError('offline', 'Failed to fetch');
		return { changes: [], cursor: cursor ?? 'c0', hasMore: false };
	}
}

/** A file store in a few lines: sends in two halves, can be cut, can refuse. */
class FakeFiles implements FileSender {
	sent: string[] = [];
	cut = false;
	refuse = new Set<string>();
	progress: UploadProgress[][] = [];

	async send(fileId: string, onProgress: (sent: number, total: number) => void) {
		const file = (await db.files.get(fileId))!;
		this.progress.push((await getMeta(db, 'sync'))?.uploads ?? []);
		if (this.cut) throw new Error('Failed to fetch');
		onProgress(file.size / 2, file.size);
		onProgress(file.size, file.size);
		this.sent.push(file.sha256);
		const change: Partial<StoredFile> = this.refuse.has(file.sha256)
			? { state: 'refused', refusal: 'file_type_mismatch' }
			: { state: 'uploaded', offset: file.size };
		await db.files.update(fileId, change);
		return { ...file, ...change };
	}
}

const sha = (c: string) => c.repeat(64);

/** A permit draft with two photos stored on the device, submitted. */
async function permitWithPhotos(id: string, site: string) {
	const draft = await createDraft(db, 'trade-outlet-permit', 1);
	for (const [field, sha256] of [
		['idDocumentPhoto', id],
		['sitePhoto', site]
	] as const) {
		await storeFile(db, draft.id, field, {
			blob: new Blob([new Uint8Array(1000)], { type: 'image/jpeg' }),
			type: 'image/jpeg',
			size: 1000,
			sha256
		});
	}
	await submitDraft(db, draft.id, { businessName: 'Kiosk', idDocumentPhoto: id, sitePhoto: site });
	return draft.id;
}

async function plainSubmit(name: string) {
	const draft = await createDraft(db, 'individual-entrepreneur', 1);
	await submitDraft(db, draft.id, { fullName: name });
	return draft.id;
}

describe('photos before the application', () => {
	it('uploads both photos first, reporting bytes, then sends the application', async () => {
		const server = new StrictServer();
		const files = new FakeFiles();
		const id = await permitWithPhotos(sha('a'), sha('b'));
		const engine = new SyncEngine({ db, transport: server, files });

		expect(await engine.sync()).toBe(true);

		expect(files.sent).toEqual([sha('a'), sha('b')]);
		expect(server.applied.map((m) => m.applicationId)).toEqual([id]);
		// While the second file went, the first had arrived whole.
		expect(files.progress[1]).toEqual([
			expect.objectContaining({ applicationId: id, field: 'idDocumentPhoto', sent: 1000 }),
			expect.objectContaining({ applicationId: id, field: 'sitePhoto', sent: 0, total: 1000 })
		]);
		expect((await db.files.toArray()).map((f) => f.state)).toEqual(['uploaded', 'uploaded']);
		expect(await getMeta(db, 'sync')).toMatchObject({ uploads: [], phase: 'idle' });
	});

	it('holds an application whose photos cannot go, without holding the others', async () => {
		const server = new StrictServer();
		const files = new FakeFiles();
		const before = await plainSubmit('Before');
		const permit = await permitWithPhotos(sha('c'), sha('d'));
		const after = await plainSubmit('After');
		const engine = new SyncEngine({ db, transport: server, files });

		files.cut = true;
		expect(await engine.sync()).toBe(false);
		expect(server.applied.map((m) => m.applicationId)).toEqual([before, after]);
		expect(await getMeta(db, 'sync')).toMatchObject({ lastError: { kind: 'offline' } });
		const held = await db.outbox.where('applicationId').equals(permit).first();
		expect(held?.rejection).toBeUndefined();

		// The photos arrive: the permit goes, with its id, above every seq the server saw.
		files.cut = false;
		expect(await engine.sync()).toBe(true);
		const sent = server.applied.at(-1)!;
		expect(sent).toMatchObject({ id: held!.id, applicationId: permit });
		expect(sent.seq).toBeGreaterThan(held!.seq!);
		expect(await db.outbox.count()).toBe(0);
	});

	it('moves it behind even when the tab died between the last byte and the move', async () => {
		const server = new StrictServer();
		const files = new FakeFiles();
		const permit = await permitWithPhotos(sha('a'), sha('b'));
		await plainSubmit('Passes it');
		const engine = new SyncEngine({ db, transport: server, files });
		files.cut = true;
		expect(await engine.sync()).toBe(false);
		// The photos arrived, and the app was killed before it moved the permit.
		await db.files.toCollection().modify({ state: 'uploaded' });

		const restarted = new SyncEngine({ db, transport: server, files });
		expect(await restarted.sync()).toBe(true);
		expect(server.applied.at(-1)?.applicationId).toBe(permit);
		expect(await db.outbox.count()).toBe(0);
	});

	it('keeps device order when nothing passed the waiting application', async () => {
		const server = new StrictServer();
		const files = new FakeFiles();
		const permit = await permitWithPhotos(sha('e'), sha('f'));
		const engine = new SyncEngine({ db, transport: server, files });
		files.cut = true;
		expect(await engine.sync()).toBe(false);

		const later = await plainSubmit('Later');
		files.cut = false;
		expect(await engine.sync()).toBe(true);
		expect(server.applied.map((m) => [m.applicationId, m.seq])).toEqual([
			[permit, 1],
			[later, 2]
		]);
	});

	it('moves a waiting application behind a push that may have reached the server', async () => {
		const server = new StrictServer();
		const files = new FakeFiles();
		const permit = await permitWithPhotos(sha('e'), sha('f'));
		const later = await plainSubmit('Later');
		const engine = new SyncEngine({ db, transport: server, files });
		// The push of the later one is cut: the server may or may not have recorded it.
		server.offline = true;
		files.cut = true;
		expect(await engine.sync()).toBe(false);

		server.offline = false;
		files.cut = false;
		expect(await engine.sync()).toBe(true);
		expect(server.applied.map((m) => [m.applicationId, m.seq])).toEqual([
			[later, 2],
			[permit, 3]
		]);
	});

	it('holds a permit queued while a pass runs until its photos went, and lets others by', async () => {
		const server = new StrictServer();
		const files = new FakeFiles();
		await plainSubmit('First');
		let permit = '';
		let later = '';
		const push = server.push.bind(server);
		server.push = async (mutations) => {
			// The person sends a permit and one more application while the first is in flight.
			if (!permit) {
				permit = await permitWithPhotos(sha('4'), sha('5'));
				later = await plainSubmit('Later');
			}
			return push(mutations);
		};
		const engine = new SyncEngine({ db, transport: server, files });

		expect(await engine.sync()).toBe(true);
		// No photo had gone: the permit waited, the later one did not.
		expect(server.applied.map((m) => m.applicationId)).toContain(later);
		expect(server.applied.map((m) => m.applicationId)).not.toContain(permit);

		expect(await engine.sync()).toBe(true);
		expect(server.applied.at(-1)?.applicationId).toBe(permit);
		expect(files.sent).toEqual([sha('4'), sha('5')]);
		expect(await db.outbox.count()).toBe(0);
	});

	it('holds later mutations of the same application with it', async () => {
		const server = new StrictServer();
		const files = new FakeFiles();
		const permit = await permitWithPhotos(sha('1'), sha('2'));
		const engine = new SyncEngine({ db, transport: server, files });
		expect(await engine.sync()).toBe(true);

		// A correction with a new site photo, then one more correction on top of it.
		const mirror = (await db.mirror.get(permit))!;
		const first = await startAmendment(db, mirror);
		await storeFile(db, first.id, 'sitePhoto', {
			blob: new Blob([new Uint8Array(500)], { type: 'image/jpeg' }),
			type: 'image/jpeg',
			size: 500,
			sha256: sha('3')
		});
		await submitDraft(db, first.id, { ...mirror.answers, sitePhoto: sha('3') });
		const second = await startAmendment(db, mirror);
		await submitDraft(db, second.id, { ...mirror.answers, sitePhoto: sha('3'), area: '8' });
		const other = await plainSubmit('Other');

		files.cut = true;
		expect(await engine.sync()).toBe(false);
		expect(server.applied.map((m) => m.applicationId)).toEqual([permit, other]);

		files.cut = false;
		expect(await engine.sync()).toBe(true);
		const amends = server.applied.slice(2);
		expect(amends.map((m) => [m.type, m.answers.area])).toEqual([
			['application.amend', undefined],
			['application.amend', '8']
		]);
		expect(amends[0]!.seq).toBeLessThan(amends[1]!.seq);
	});

	it('marks an application whose photo the server refused, on that field, and sends it never', async () => {
		const server = new StrictServer();
		const files = new FakeFiles();
		files.refuse.add(sha('9'));
		const permit = await permitWithPhotos(sha('8'), sha('9'));
		const other = await plainSubmit('Other');
		const engine = new SyncEngine({ db, transport: server, files });

		expect(await engine.sync()).toBe(true);

		expect(server.applied.map((m) => m.applicationId)).toEqual([other]);
		const entry = await db.outbox.where('applicationId').equals(permit).first();
		expect(entry?.rejection).toEqual({
			code: 'invalid_answers',
			fieldErrors: { sitePhoto: 'file_refused' }
		});
		await engine.sync();
		expect(files.sent).toEqual([sha('8'), sha('9')]);
	});

	it('sends at once a photo answer whose file is not on this device (made elsewhere)', async () => {
		const server = new StrictServer();
		const draft = await createDraft(db, 'trade-outlet-permit', 1);
		await submitDraft(db, draft.id, { idDocumentPhoto: sha('5'), sitePhoto: sha('6') });
		const engine = new SyncEngine({ db, transport: server });

		expect(await engine.sync()).toBe(true);
		expect(server.applied).toHaveLength(1);
	});

	it('holds, and never refuses, when it has no way to send files', async () => {
		const server = new StrictServer();
		const permit = await permitWithPhotos(sha('7'), sha('0'));
		const engine = new SyncEngine({ db, transport: server });

		expect(await engine.sync()).toBe(true);
		expect(server.applied).toHaveLength(0);
		const entry = await db.outbox.where('applicationId').equals(permit).first();
		expect(entry?.rejection).toBeUndefined();
	});
});

describe('a draft brought back for a refused photo', () => {
	it('names the photo to replace, and nothing once it is replaced', async () => {
		const server = new StrictServer();
		const files = new FakeFiles();
		files.refuse.add(sha('b'));
		const permit = await permitWithPhotos(sha('a'), sha('b'));
		await new SyncEngine({ db, transport: server, files }).sync();

		const entry = (await db.outbox.where('applicationId').equals(permit).first())!;
		const draft = await reviseRejected(db, entry.seq!);
		expect(await refusedPhotos(db, tradeOutletPermit, draft.answers)).toEqual({
			sitePhoto: 'file_refused'
		});
		expect(
			await refusedPhotos(db, tradeOutletPermit, { ...draft.answers, sitePhoto: sha('c') })
		).toEqual({});
	});
});
