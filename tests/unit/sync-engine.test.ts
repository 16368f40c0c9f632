import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getMeta, openDatabase, type DalaDatabase } from '../../app/lib/db/database';
import { createDraft } from '../../app/lib/drafts/start-draft';
import { submitDraft } from '../../app/lib/drafts/submit-draft';
import { storeFile } from '../../app/lib/files/upload';
import type { FileSender } from '../../app/lib/sync/attachments';
import { retryAfterMs } from '../../app/lib/sync/backoff';
import { SyncEngine } from '../../app/lib/sync/engine';
import { httpTransport, SyncError, type SyncTransport } from '../../app/lib/sync/transport';
import { generateDeviceKey, deviceIdOf } from '../../shared/device-signature';
import type {
	ApplicationState,
	Mutation,
	MutationResult,
	PullResponse
} from '../../shared/protocol';

let db: DalaDatabase;
let n = 0;

beforeEach(async () => {
	db = openDatabase(`engine-test-${n++}`);
	await db.open();
});
afterEach(async () => {
	await db.delete();
});

function state(id: string, version = 1, status: ApplicationState['status'] = 'received') {
	return {
		id,
		serviceId: 'individual-entrepreneur',
		serviceVersion: 1,
		status,
		reference: `DL-2026-${String(version).padStart(6, '0')}`,
		version,
		answers: {},
		updatedAt: new Date(0).toISOString()
	} satisfies ApplicationState;
}

/** A server in a few lines: applies everything unless `decide` says otherwise. */
class ScriptedTransport implements SyncTransport {
	pushes: Mutation[][] = [];
	pulls: (string | undefined)[] = [];
	failNext: SyncError[] = [];
	decide: (m: Mutation) => MutationResult = (m) => ({
		mutationId: m.id,
		status: 'applied',
		application: state(m.applicationId)
	});
	pages: PullResponse[] = [];

	async push(mutations: Mutation[]) {
		this.pushes.push(mutations);
		const failure = this.failNext.shift();
		if (failure) throw failure;
		return { results: mutations.map((m) => this.decide(m)), bytesSent: 100 };
	}

	async pull(cursor: string | undefined) {
		this.pulls.push(cursor);
		return this.pages.shift() ?? { changes: [], cursor: cursor ?? 'c0', hasMore: false };
	}
}

async function queue(count: number): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const draft = await createDraft(db, 'individual-entrepreneur', 1);
		await submitDraft(db, draft.id, { fullName: `Person ${i}` });
		ids.push(draft.id);
	}
	return ids;
}

describe('the sync engine', () => {
	it('sends everything in order, in batches, and records the server state', async () => {
		const transport = new ScriptedTransport();
		const ids = await queue(7);
		const engine = new SyncEngine({ db, transport, batchSize: 3, now: () => 1000 });

		expect(await engine.sync()).toBe(true);

		expect(transport.pushes.map((batch) => batch.length)).toEqual([3, 3, 1]);
		expect(transport.pushes.flat().map((m) => m.applicationId)).toEqual(ids);
		expect(await db.outbox.count()).toBe(0);
		expect((await db.mirror.toArray()).map((s) => s.id).sort()).toEqual([...ids].sort());
		expect(await getMeta(db, 'sync')).toMatchObject({ phase: 'idle', lastSuccessAt: 1000 });
	});

	it('keeps everything after a failed send and schedules a retry', async () => {
		const transport = new ScriptedTransport();
		transport.failNext.push(new SyncError('offline', 'Failed to fetch'));
		await queue(2);
		const delays: number[] = [];
		const engine = new SyncEngine({
			db,
			transport,
			now: () => 5000,
			random: () => 0,
			scheduleRetry: (d) => delays.push(d)
		});

		expect(await engine.sync()).toBe(false);
		expect(await db.outbox.count()).toBe(2);
		expect(delays).toEqual([1000]);
		expect(await getMeta(db, 'sync')).toMatchObject({
			lastError: { kind: 'offline' },
			nextAttemptAt: 6000
		});

		transport.failNext.push(new SyncError('server', 'HTTP 503', 503));
		expect(await engine.sync()).toBe(false);
		expect(delays).toEqual([1000, 2000]);

		expect(await engine.sync()).toBe(true);
		expect(await db.outbox.count()).toBe(0);
		expect(await getMeta(db, 'sync')).not.toHaveProperty('lastError.kind');
	});

	it('marks a refused mutation and goes on with the rest; it is never sent again', async () => {
		const transport = new ScriptedTransport();
		const ids = await queue(3);
		transport.decide = (m) =>
			m.applicationId === ids[1]
				? {
						mutationId: m.id,
						status: 'rejected',
						code: 'invalid_answers',
						fieldErrors: { iin: 'invalid_iin' }
					}
				: { mutationId: m.id, status: 'applied', application: state(m.applicationId) };
		const engine = new SyncEngine({ db, transport });

		expect(await engine.sync()).toBe(true);
		const left = await db.outbox.toArray();
		expect(left).toHaveLength(1);
		expect(left[0]).toMatchObject({
			applicationId: ids[1],
			rejection: { code: 'invalid_answers', fieldErrors: { iin: 'invalid_iin' } }
		});

		await engine.sync();
		expect(transport.pushes).toHaveLength(1);
	});

	it('isolates the one mutation that makes a whole batch fail', async () => {
		const transport = new ScriptedTransport();
		const ids = await queue(5);
		const poison = ids[3];
		transport.push = async function (mutations) {
			this.pushes.push(mutations);
			if (mutations.some((m) => m.applicationId === poison)) {
				throw new SyncError('refused', 'too large', 413, 'body_too_large');
			}
			return { results: mutations.map((m) => this.decide(m)), bytesSent: 100 };
		};
		const engine = new SyncEngine({ db, transport });

		expect(await engine.sync()).toBe(true);
		const left = await db.outbox.toArray();
		expect(left.map((e) => e.applicationId)).toEqual([poison]);
		expect(left[0]!.rejection).toEqual({ code: 'refused' });
		expect(await db.mirror.count()).toBe(4);
	});

	it('stops without marking anything when the server refuses the device itself', async () => {
		const transport = new ScriptedTransport();
		transport.failNext.push(new SyncError('refused', 'bad device', 400, 'missing_device'));
		await queue(2);
		const engine = new SyncEngine({ db, transport });

		expect(await engine.sync()).toBe(false);
		expect((await db.outbox.toArray()).every((e) => !e.rejection)).toBe(true);
	});

	it('does not retry on its own when the app must be updated', async () => {
		const transport = new ScriptedTransport();
		transport.failNext.push(
			new SyncError('update_required', 'update', 426, 'unsupported_protocol')
		);
		await queue(1);
		const delays: number[] = [];
		const engine = new SyncEngine({ db, transport, scheduleRetry: (d) => delays.push(d) });

		expect(await engine.sync()).toBe(false);
		expect(delays).toEqual([]);
		expect(await getMeta(db, 'sync')).toMatchObject({ lastError: { kind: 'update_required' } });
	});

	it('pulls every page, keeps the cursor, and never lets an older state win', async () => {
		const transport = new ScriptedTransport();
		const [id] = await queue(1);
		transport.decide = (m) => ({
			mutationId: m.id,
			status: 'applied',
			application: state(m.applicationId, 1)
		});
		transport.pages = [
			{ changes: [state(id!, 3, 'approved')], cursor: 'c1', hasMore: true },
			{ changes: [state(id!, 2, 'in_review')], cursor: 'c2', hasMore: false }
		];
		const engine = new SyncEngine({ db, transport });

		await engine.sync();

		expect(transport.pulls).toEqual([undefined, 'c1']);
		expect(await getMeta(db, 'cursor')).toBe('c2');
		expect(await db.mirror.get(id!)).toMatchObject({ version: 3, status: 'approved' });
	});

	it('starts over when the server no longer knows the cursor', async () => {
		const transport = new ScriptedTransport();
		const pull = transport.pull.bind(transport);
		transport.pull = async (cursor) => {
			if (cursor === 'stale') {
				transport.pulls.push(cursor);
				throw new SyncError('refused', 'bad cursor', 400, 'invalid_cursor');
			}
			return pull(cursor);
		};
		await db.meta.put({ key: 'cursor', value: 'stale' });
		const engine = new SyncEngine({ db, transport });

		expect(await engine.sync()).toBe(true);
		expect(transport.pulls).toEqual(['stale', undefined]);
	});

	it('runs one more pass when asked while a pass is running', async () => {
		const transport = new ScriptedTransport();
		await queue(1);
		const engine = new SyncEngine({ db, transport });
		let late: string | undefined;
		let again: Promise<boolean> | undefined;
		const pull = transport.pull.bind(transport);
		// Queued after this pass has finished pushing: it must not wait for another trigger.
		transport.pull = async (cursor) => {
			if (!late) {
				[late] = await queue(1);
				again = engine.sync();
			}
			return pull(cursor);
		};

		const first = engine.sync();
		await first;

		expect(again).toBe(first);
		expect(await db.outbox.count()).toBe(0);
		expect(transport.pushes.map((batch) => batch.map((m) => m.applicationId))).toEqual([
			[expect.any(String)],
			[late]
		]);
	});

	it('keeps a conflicting correction beside the server state and sends nothing more for it', async () => {
		const transport = new ScriptedTransport();
		const [id] = await queue(1);
		await new SyncEngine({ db, transport }).sync();
		const current = state(id!, 4, 'in_review');
		transport.decide = (m) => ({ mutationId: m.id, status: 'conflict', application: current });
		await db.outbox.add({
			id: '0190a000-0000-7000-8000-000000000002',
			type: 'application.amend',
			applicationId: id!,
			baseVersion: 1,
			answers: { fullName: 'corrected' },
			createdAt: 0
		});
		const engine = new SyncEngine({ db, transport });

		expect(await engine.sync()).toBe(true);
		const [entry] = await db.outbox.toArray();
		expect(entry).toMatchObject({ type: 'application.amend', conflict: { version: 4 } });
		expect(await db.mirror.get(id!)).toMatchObject({ version: 4, status: 'in_review' });

		const pushes = transport.pushes.length;
		await engine.sync();
		expect(transport.pushes).toHaveLength(pushes);
	});

	it('remembers when the office received a submission, and keeps it through later changes', async () => {
		const transport = new ScriptedTransport();
		const received = '2026-12-07T09:01:00.000Z';
		transport.decide = (m) => ({
			mutationId: m.id,
			status: 'applied',
			application: { ...state(m.applicationId), updatedAt: received }
		});
		const [id] = await queue(1);
		await new SyncEngine({ db, transport }).sync();
		expect((await db.applications.get(id!))?.receivedAt).toBe(Date.parse(received));

		// A correction's answer is a later change, not the receipt.
		transport.decide = (m) => ({
			mutationId: m.id,
			status: 'applied',
			application: { ...state(m.applicationId, 2), updatedAt: '2026-12-08T00:00:00.000Z' }
		});
		await db.outbox.add({
			id: '0190a000-0000-7000-8000-000000000003',
			type: 'application.amend',
			applicationId: id!,
			baseVersion: 1,
			answers: { fullName: 'corrected' },
			createdAt: 0
		});
		await new SyncEngine({ db, transport }).sync();
		expect((await db.applications.get(id!))?.receivedAt).toBe(Date.parse(received));
	});

	it('reports the bytes it sent', async () => {
		const transport = new ScriptedTransport();
		await queue(5);
		await new SyncEngine({ db, transport, batchSize: 2 }).sync();
		expect(await getMeta(db, 'sync')).toMatchObject({ sent: 5, total: 5, bytesSent: 300 });
	});
});

describe('limits the server sets', () => {
	const rateLimited = (seconds: number) =>
		new SyncError('server', 'slow down', 429, 'rate_limited', seconds * 1000);

	it('waits as long as a 429 asks before the next attempt, and says so', async () => {
		const transport = new ScriptedTransport();
		transport.failNext.push(rateLimited(120));
		await queue(2);
		let now = 10_000;
		const delays: number[] = [];
		const engine = new SyncEngine({
			db,
			transport,
			now: () => now,
			random: () => 0,
			scheduleRetry: (d) => delays.push(d)
		});

		expect(await engine.sync()).toBe(false);
		// The back-off alone would retry in a second; the server asked for two minutes.
		expect(delays).toEqual([120_000]);
		expect(await getMeta(db, 'sync')).toMatchObject({
			lastError: { kind: 'server', detail: 'rate_limited' },
			nextAttemptAt: 130_000
		});

		// Any trigger before then (a new application, coming online) sends nothing.
		now = 129_999;
		expect(await engine.sync()).toBe(false);
		expect(transport.pushes).toHaveLength(1);
		expect(transport.pulls).toHaveLength(0);

		now = 130_000;
		expect(await engine.sync()).toBe(true);
		expect(transport.pushes).toHaveLength(2);
		expect(await db.outbox.count()).toBe(0);
	});

	it('never retries sooner than its own back-off, even when the server asks for less', async () => {
		const transport = new ScriptedTransport();
		await queue(1);
		const delays: number[] = [];
		const engine = new SyncEngine({
			db,
			transport,
			now: () => 0,
			random: () => 1,
			scheduleRetry: (d) => delays.push(d)
		});
		transport.failNext.push(new SyncError('offline', 'Failed to fetch'));
		await engine.sync();
		transport.failNext.push(rateLimited(1));
		await engine.sync();
		expect(delays).toEqual([2000, 4000]);
	});

	it('waits out a 429 on an upload as it does on a push', async () => {
		const transport = new ScriptedTransport();
		const draft = await createDraft(db, 'trade-outlet-permit', 1);
		const photo = 'a'.repeat(64);
		await storeFile(db, draft.id, 'sitePhoto', {
			blob: new Blob([new Uint8Array(100)], { type: 'image/jpeg' }),
			type: 'image/jpeg',
			size: 100,
			sha256: photo
		});
		await submitDraft(db, draft.id, { businessName: 'Kiosk', sitePhoto: photo });
		let refusing = true;
		const files: FileSender = {
			async send(fileId) {
				if (refusing) throw rateLimited(3600);
				await db.files.update(fileId, { state: 'uploaded' });
				return (await db.files.get(fileId))!;
			}
		};
		let now = 0;
		const delays: number[] = [];
		const engine = new SyncEngine({
			db,
			transport,
			files,
			now: () => now,
			scheduleRetry: (d) => delays.push(d)
		});

		expect(await engine.sync()).toBe(false);
		expect(delays).toEqual([3_600_000]);
		expect(transport.pushes).toHaveLength(0);
		expect((await db.files.toArray())[0]).toMatchObject({ state: 'waiting' });

		refusing = false;
		now = 1_000_000;
		expect(await engine.sync()).toBe(false);
		now = 3_600_000;
		expect(await engine.sync()).toBe(true);
		expect(transport.pushes.flat()).toHaveLength(1);
	});

	it('caps a push by bytes as well as by count', async () => {
		const transport = new ScriptedTransport();
		for (let i = 0; i < 6; i++) {
			const draft = await createDraft(db, 'individual-entrepreneur', 1);
			await submitDraft(db, draft.id, { fullName: `Person ${i}`, address: 'ы'.repeat(400) });
		}
		const engine = new SyncEngine({ db, transport, batchSize: 25, batchBytes: 2500 });

		expect(await engine.sync()).toBe(true);
		// Each mutation is over 800 bytes of UTF-8 (Cyrillic takes two): two fit in 2500.
		expect(transport.pushes.map((batch) => batch.length)).toEqual([2, 2, 2]);
		for (const batch of transport.pushes) {
			expect(new TextEncoder().encode(JSON.stringify(batch)).byteLength).toBeLessThanOrEqual(2500);
		}
	});

	it('sends alone a mutation bigger than a whole batch', async () => {
		const transport = new ScriptedTransport();
		await queue(1);
		const draft = await createDraft(db, 'individual-entrepreneur', 1);
		await submitDraft(db, draft.id, { fullName: 'Big', address: 'x'.repeat(5000) });
		await queue(1);
		const engine = new SyncEngine({ db, transport, batchBytes: 2000 });

		expect(await engine.sync()).toBe(true);
		expect(transport.pushes.map((batch) => batch.length)).toEqual([1, 1, 1]);
	});

	it('reads Retry-After as seconds or as a date, and believes at most a day', () => {
		const now = Date.UTC(2026, 0, 1, 12);
		expect(retryAfterMs('30', now)).toBe(30_000);
		expect(retryAfterMs(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
		expect(retryAfterMs('9999999', now)).toBe(24 * 60 * 60_000);
		expect(retryAfterMs('soon', now)).toBeUndefined();
		expect(retryAfterMs(null, now)).toBeUndefined();
	});

	it('hands the wait a 429 asked for from the HTTP answer to the engine', async () => {
		const { privateKey, publicKey } = await generateDeviceKey();
		const device = { id: await deviceIdOf(publicKey), privateKey, publicKey };
		const transport = httpTransport(device, {
			baseUrl: 'http://server',
			fetch: async () =>
				Response.json(
					{ error: { code: 'rate_limited', message: 'slow down' } },
					{ status: 429, headers: { 'Retry-After': '42' } }
				)
		});
		const failure = await transport.pull(undefined).catch((error: unknown) => error);
		expect(failure).toMatchObject({
			kind: 'server',
			status: 429,
			code: 'rate_limited',
			retryAfterMs: 42_000
		});
	});
});
