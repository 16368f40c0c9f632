/**
 * A database connection lost in the middle of a request: its backend terminated (as a
 * failover, a PgBouncer restart or an idle timeout would) while a push transaction is
 * open, while a pull reads, while an upload is being recorded, and between two statements
 * of a transaction. Each time the request is answered 503 database_unavailable with
 * Retry-After (or its retry succeeds), the process lives (no unhandled error), the pool
 * heals (the next request is answered), and nothing is half-written.
 *
 * PostgreSQL only: PGlite runs in-process and has no backend to lose. Every kill waits for
 * its victim in pg_stat_activity, never on a timer: a second connection holds a lock, the
 * request is seen waiting on it, and only then is its backend terminated.
 */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFailureOf } from '../../sync-server/db/connection-failure';
import { applications, files } from '../../sync-server/db/schema';
import { directoryStore } from '../../sync-server/files/store';
import { createLogger } from '../../sync-server/http/log';
import { backends, type TestDatabase } from './backends';
import {
	answer,
	counts,
	get,
	lastSeq,
	newDevice,
	pull,
	push,
	settleFeed,
	submit,
	type App,
	signedTusRequest,
	testApp,
	type Device
} from './helpers';
import { samplePhoto, sha256Hex as sha256 } from '../support/sample-photo';

const postgresBackend = backends.find((b) => b.kind === 'postgres');
if (!postgresBackend) {
	console.warn(
		'connection-faults: SKIPPED, no PostgreSQL (set TEST_DATABASE_URL): PGlite has no ' +
			'connection to lose.'
	);
}

/** Held by the test to stop a push inside its transaction, after its rows are written. */
const HOLD_INSERTS = 4_240_917_099;

describe.skipIf(!postgresBackend)('a database connection lost mid-request', () => {
	const dir = join(tmpdir(), `dala-faults-${randomUUID()}`);
	const lines: string[] = [];
	const uncaught: unknown[] = [];
	const recordUncaught = (error: unknown) => uncaught.push(error);
	let t: TestDatabase;
	let app: App;
	/** Holds the locks requests wait on, in a transaction of its own. */
	let holder: pg.Client;
	/** Watches pg_stat_activity and terminates backends (a holder's snapshot would be stale). */
	let watcher: pg.Client;
	/** The backends of those two, never the victim. */
	const ours: number[] = [];

	beforeAll(async () => {
		process.on('uncaughtException', recordUncaught);
		process.on('unhandledRejection', recordUncaught);
		t = await postgresBackend!.open();
		app = testApp(t.db, {
			log: createLogger({ level: 'info', write: (line) => lines.push(line) }),
			uploads: directoryStore(dir)
		});
		holder = new pg.Client({ connectionString: t.url });
		watcher = new pg.Client({ connectionString: t.url });
		for (const client of [holder, watcher]) {
			await client.connect();
			const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
			ours.push(rows[0]!.pid);
		}
		// A push's insert waits here, inside its transaction, while the test holds the lock.
		await watcher.query(`
			create function hold_inserts() returns trigger language plpgsql as $$
			begin
				perform pg_advisory_xact_lock_shared(${HOLD_INSERTS});
				return null;
			end $$;
			create trigger hold_inserts after insert on applications
				for each statement execute function hold_inserts();`);
	});

	afterAll(async () => {
		await holder?.end();
		await watcher?.end();
		await t?.close();
		await rm(dir, { recursive: true, force: true });
		process.off('uncaughtException', recordUncaught);
		process.off('unhandledRejection', recordUncaught);
	});

	/**
	 * Terminates the one backend of the app that is seen waiting on a lock while running a
	 * statement matching `statement` (an ILIKE pattern). Polls pg_stat_activity: the wait
	 * is on a condition, and fails the test if `work` settles first (nothing waited).
	 */
	async function terminateWaiting(statement: string, work: Promise<unknown>): Promise<void> {
		let settled = false;
		void work.finally(() => (settled = true));
		for (const deadline = Date.now() + 10_000; Date.now() < deadline && !settled;) {
			const { rows } = await watcher.query<{ pid: number }>(
				`select pid from pg_stat_activity
				where datname = current_database() and wait_event_type = 'Lock'
					and query ilike $1 and pid <> all($2::int[])`,
				[statement, ours]
			);
			if (rows.length === 1) {
				await watcher.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
				return;
			}
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
		throw new Error(`no request waited running ${statement}${settled ? ' (it settled)' : ''}`);
	}

	/** 503 database_unavailable, Retry-After: 1, and nothing of why. */
	function expectUnavailable(res: { status: number; json: unknown; headers: Headers }) {
		expect(res.status).toBe(503);
		expect(res.headers.get('Retry-After')).toBe('1');
		expect(res.json).toEqual({
			error: {
				code: 'database_unavailable',
				message: 'The database is unavailable for a moment; try again.'
			}
		});
	}

	/** The pool lent out a fresh connection for the next request; the process is fine. */
	async function expectHealed() {
		expect((await get(app, '/api/health')).status).toBe(200);
		expect(uncaught).toEqual([]);
		expect(lines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
	}

	it('push: killed while its transaction waits on the device row, retried whole', async () => {
		const device = await newDevice(app);
		const batch = [1, 2, 3].map((seq) => submit({ seq }));
		const before = await counts(t.db);

		await holder.query('begin');
		await holder.query('select 1 from devices where id = $1 for update', [device.id]);
		const pushing = push(app, device, { mutations: batch });
		await terminateWaiting('%from "devices"%for update%', pushing);
		const res = await pushing;
		await holder.query('rollback');

		expectUnavailable(res);
		expect(await counts(t.db)).toEqual(before);
		expect(await lastSeq(t.db, device.id)).toBe(0);
		const retry = await push(app, device, { mutations: batch });
		expect(retry.status).toBe(200);
		expect(retry.json.results.map((r: { status: string }) => r.status)).toEqual([
			'applied',
			'applied',
			'applied'
		]);
		expect((await counts(t.db)).applications).toBe(before.applications + 3);
		await expectHealed();
	});

	it('push: killed after its rows are written, before COMMIT: none of them stays', async () => {
		const device = await newDevice(app);
		const batch = [1, 2].map((seq) => submit({ seq }));
		const before = await counts(t.db);

		await holder.query('select pg_advisory_lock($1)', [HOLD_INSERTS]);
		const pushing = push(app, device, { mutations: batch });
		try {
			await terminateWaiting('%insert into "applications"%', pushing);
		} finally {
			await holder.query('select pg_advisory_unlock($1)', [HOLD_INSERTS]);
		}
		expectUnavailable(await pushing);
		expect(await counts(t.db)).toEqual(before);
		expect(await lastSeq(t.db, device.id)).toBe(0);

		const retry = await push(app, device, { mutations: batch });
		expect(retry.status).toBe(200);
		expect((await counts(t.db)).applications).toBe(before.applications + 2);
		expect(await lastSeq(t.db, device.id)).toBe(2);
		await expectHealed();
	});

	it('between two statements of a transaction: the next one fails, the process lives', async () => {
		// The case that ends a process on bare node-postgres: the connection is lent out and
		// idle when it breaks, so the pool no longer listens for its 'error' event.
		const outcome = t.db.transaction(async (tx) => {
			await tx.select({ id: applications.id }).from(applications).limit(1);
			const { rows } = await watcher.query<{ pid: number }>(
				`select pid from pg_stat_activity
				where datname = current_database() and state = 'idle in transaction'
					and pid <> all($1::int[])`,
				[ours]
			);
			expect(rows).toHaveLength(1);
			await watcher.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
			// Gone from the server's side; the client learns it from the socket meanwhile.
			await waitUntilGone(rows[0]!.pid);
			await tx.select({ id: applications.id }).from(applications).limit(1);
		});
		const error = await outcome.then(
			() => undefined,
			(e: unknown) => e
		);
		expect(connectionFailureOf(error)).toBeInstanceOf(Error);
		await expectHealed();
	});

	async function waitUntilGone(pid: number) {
		for (;;) {
			const { rowCount } = await watcher.query('select 1 from pg_stat_activity where pid = $1', [
				pid
			]);
			if (rowCount === 0) return;
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
	}

	it('pull: killed while it reads the feed, then pulls the same page', async () => {
		const device = await newDevice(app);
		expect((await push(app, device, { mutations: [submit({ seq: 1 })] })).status).toBe(200);
		await settleFeed(t.db);
		const first = await pull(app, device);
		expect(first.status).toBe(200);
		expect(first.json.changes).toHaveLength(1);

		await holder.query('begin');
		await holder.query('lock table applications in access exclusive mode');
		const pulling = pull(app, device);
		await terminateWaiting('%pg_snapshot_xmin%', pulling);
		const res = await pulling;
		await holder.query('rollback');

		expectUnavailable(res);
		const again = await pull(app, device);
		expect(again.status).toBe(200);
		expect(again.json.changes).toEqual(first.json.changes);
		await expectHealed();
	});

	describe('upload: the last PATCH wrote the file, then lost the database', () => {
		/** Sends all of `file` and has the record step's connection killed: 503. */
		async function uploadLosingTheRecord(device: Device, file: Uint8Array) {
			const location = await created(device, file);
			const half = file.length >> 1;
			const first = await tus(device, 'PATCH', location, patchOf(0, file.subarray(0, half)));
			expect(first.status).toBe(204);

			await holder.query('begin');
			await holder.query('select 1 from devices where id = $1 for update', [device.id]);
			const last = tus(device, 'PATCH', location, patchOf(half, file.subarray(half)));
			await terminateWaiting('%from "devices"%for share%', last);
			const res = await last;
			await holder.query('rollback');
			expectUnavailable(res);
			expect(await filesNamed(file)).toHaveLength(0);
			return location;
		}

		it('the next HEAD re-hashes the stored bytes and records the file', async () => {
			const device = await newDevice(app);
			const file = samplePhoto(40_000, 7);
			const location = await uploadLosingTheRecord(device, file);

			const head = await tus(device, 'HEAD', location);
			expect(head.status).toBe(200);
			expect(head.headers.get('Upload-Offset')).toBe(String(file.length));
			const rows = await filesNamed(file);
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({ size: file.length, deviceId: device.id });
			const status = await tus(device, 'GET', `/api/files/${sha256(file)}`);
			expect(status.status).toBe(200);
			expect(status.json).toMatchObject({ sha256: sha256(file), verified: true });

			// Recorded once: a second HEAD finds it recorded and keeps the bytes.
			expect((await tus(device, 'HEAD', location)).status).toBe(200);
			expect(await filesNamed(file)).toHaveLength(1);
			await expectHealed();
		});

		it('bytes that no longer hash to the declared SHA-256 are refused 422 and deleted', async () => {
			const device = await newDevice(app);
			const file = samplePhoto(30_000, 8);
			const location = await uploadLosingTheRecord(device, file);
			const id = location.split('/').at(-1)!;
			const damaged = samplePhoto(file.length, 9);
			await writeFile(join(dir, id), damaged);

			const head = await tus(device, 'HEAD', location);
			// The file_hash_mismatch refusal; a HEAD answer carries no body to name it in, and
			// tus-js-client answers any 4xx to its HEAD by starting a new upload.
			expect(head.status).toBe(422);
			expect(await filesNamed(file)).toHaveLength(0);
			// Gone: the device starts a new upload from its own copy.
			expect((await tus(device, 'HEAD', location)).status).toBe(404);
			await expectHealed();
		});
	});

	const filesNamed = (file: Uint8Array) =>
		t.db
			.select()
			.from(files)
			.where(eq(files.sha256, sha256(file)));

	/** A tus request as tus-js-client sends it, signed as app/lib/files/upload.ts signs. */
	async function tus(
		device: Device,
		method: string,
		path: string,
		o: { headers?: Record<string, string>; body?: Uint8Array } = {}
	) {
		return answer(
			app.request(path, await signedTusRequest(device, method, path, o.headers, o.body))
		);
	}

	async function created(device: Device, file: Uint8Array): Promise<string> {
		const meta = `sha256 ${b64(sha256(file))},type ${b64('image/jpeg')}`;
		const res = await tus(device, 'POST', '/api/files', {
			headers: { 'Upload-Length': String(file.length), 'Upload-Metadata': meta }
		});
		expect(res.status, res.text).toBe(201);
		return res.headers.get('Location')!;
	}
});

function patchOf(offset: number, chunk: Uint8Array) {
	return {
		headers: {
			'Upload-Offset': String(offset),
			'Content-Type': 'application/offset+octet-stream'
		},
		body: chunk
	};
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
