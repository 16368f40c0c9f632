/**
 * A transaction that loses to a concurrent one — a deadlock, a serialization failure — has
 * committed nothing, and the same request may pass a moment later: it is answered 503
 * database_unavailable with Retry-After, never 500, and logged by its SQLSTATE without the
 * person's answers (issue 19).
 *
 * On both backends a trigger raises the SQLSTATE where the request writes, so the mapping
 * is checked on every path that matters; on PostgreSQL a real deadlock is provoked too,
 * against a second connection, so the code comes from the database and not from us.
 */
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { applications } from '../../sync-server/db/schema';
import { createLogger } from '../../sync-server/http/log';
import { inboxAccounts } from '../support/inbox-accounts';
import { backends } from './backends';
import {
	counts,
	lastSeq,
	newDevice,
	push,
	rawAnswers,
	signedCall,
	submit,
	useSuite,
	validIin,
	testApp,
	type Answer
} from './helpers';

/** 503 database_unavailable, Retry-After: 1, and nothing of why. */
function expectRetryLater(res: Answer) {
	expect(res.status, res.text).toBe(503);
	expect(res.headers.get('Retry-After')).toBe('1');
	expect(res.json).toEqual({
		error: {
			code: 'database_unavailable',
			message: 'The database is unavailable for a moment; try again.'
		}
	});
}

describe.each(backends)('a transaction that loses to another on $name', (backend) => {
	const suite = useSuite(backend);
	const lines: string[] = [];
	const inbox = inboxAccounts();
	const app = () =>
		testApp(suite.db, {
			log: createLogger({ level: 'info', write: (line) => lines.push(line) }),
			accounts: inbox.accounts
		});

	/** Makes every insert into `table` fail as a lost race would, with `sqlstate`. */
	async function raiseOnInsert(table: string, sqlstate: string) {
		await run(`create or replace function lose_race() returns trigger language plpgsql as $$
			begin
				raise exception 'lost a race' using errcode = '${sqlstate}';
			end $$`);
		await run(`create trigger lose_race before insert on ${table}
			for each row execute function lose_race()`);
	}

	/** One statement of DDL, on either backend. */
	const run = (statement: string) => suite.db.execute(sql.raw(statement));

	afterEach(async () => {
		await run('drop trigger if exists lose_race on applications');
		await run('drop trigger if exists lose_race on sessions');
		await run('drop function if exists lose_race()');
		lines.length = 0;
	});

	it.each([
		['a deadlock', '40P01'],
		['a serialization failure', '40001']
	])('push meeting %s: 503, nothing written, the retry applies', async (_, sqlstate) => {
		const server = app();
		const device = await newDevice(server);
		const secret = 'Zhanargul Contention-Witness';
		const batch = [submit({ seq: 1, answers: rawAnswers({ fullName: secret }) })];
		const before = await counts(suite.db);

		await raiseOnInsert('applications', sqlstate);
		expectRetryLater(await push(server, device, { mutations: batch }));
		expect(await counts(suite.db)).toEqual(before);
		expect(await lastSeq(suite.db, device.id)).toBe(0);

		const logged = lines.filter((line) => line.includes('database contention'));
		expect(logged).toHaveLength(1);
		expect(logged[0]).toContain(sqlstate);
		expect(lines.join('\n')).not.toContain(secret);
		expect(lines.filter((line) => line.includes('"level":"error"'))).toEqual([]);

		await run('drop trigger lose_race on applications');
		const retry = await push(server, device, { mutations: batch });
		expect(retry.status, retry.text).toBe(200);
		expect(retry.json.results[0].status).toBe('applied');
		const stored = await suite.db
			.select({ id: applications.id })
			.from(applications)
			.where(eq(applications.id, batch[0]!.applicationId));
		expect(stored).toHaveLength(1);
	});

	it('a sign-in whose session insert loses: 503, and the code still works after', async () => {
		const server = app();
		const device = await newDevice(server);
		const asked = await signedCall(server, device, '/api/accounts/citizen/code', {
			iin: validIin(810),
			phone: '+77040008100'
		});
		expect(asked.status, asked.text).toBe(200);
		const confirm = () =>
			signedCall(server, device, '/api/accounts/citizen/confirm', {
				challengeId: asked.json.challengeId,
				code: inbox.last()
			});

		await raiseOnInsert('sessions', '40001');
		expectRetryLater(await confirm());
		// Nothing was committed, the challenge's attempt included: the same code signs in.
		await run('drop trigger lose_race on sessions');
		const retry = await confirm();
		expect(retry.status, retry.text).toBe(200);
		expect(retry.json.accessToken).toEqual(expect.any(String));
	});
});

const postgresBackend = backends.find((b) => b.kind === 'postgres');

describe.skipIf(!postgresBackend)('a real deadlock on PostgreSQL', () => {
	const suite = useSuite(postgresBackend!);

	it('the push the database chose to abort is answered 503, and the retry applies', async () => {
		const device = await newDevice(suite.app);
		const batch = [submit({ seq: 1 })];
		const other = new pg.Client({ connectionString: suite.url });
		await other.connect();
		try {
			// The other side never gives up first: the database aborts the push's transaction.
			await other.query(`set deadlock_timeout = '60s'`);
			// The push locks its device row, then waits on the application insert's lock, which
			// the other side holds while it waits on the device row: a cycle.
			await other.query(`
				create function wait_for_other() returns trigger language plpgsql as $$
				begin
					perform pg_advisory_xact_lock_shared(4240917100);
					return null;
				end $$;
				create trigger wait_for_other after insert on applications
					for each statement execute function wait_for_other();`);
			await other.query('begin');
			await other.query('select pg_advisory_xact_lock(4240917100)');
			const pushing = push(suite.app, device, { mutations: batch });
			await waitForLockWait(other, '%insert into "applications"%');
			const otherWaits = other.query('select 1 from devices where id = $1 for update', [device.id]);
			const res = await pushing;
			await otherWaits;
			await other.query('rollback');
			await other.query(
				'drop trigger wait_for_other on applications; drop function wait_for_other()'
			);

			expectRetryLater(res);
			expect(await lastSeq(suite.db, device.id)).toBe(0);
			const retry = await push(suite.app, device, { mutations: batch });
			expect(retry.status, retry.text).toBe(200);
			expect(await lastSeq(suite.db, device.id)).toBe(1);
		} finally {
			await other.end();
		}
	});
});

/** Until a backend other than `client`'s waits on a lock running a statement like `query`. */
async function waitForLockWait(client: pg.Client, query: string) {
	for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
		// Inside a transaction the statistics views are a snapshot taken once: take it anew.
		await client.query('select pg_stat_clear_snapshot()');
		const { rowCount } = await client.query(
			`select 1 from pg_stat_activity
			where datname = current_database() and wait_event_type = 'Lock'
				and query ilike $1 and pid <> pg_backend_pid()`,
			[query]
		);
		if (rowCount) return;
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
	throw new Error(`no backend waited running ${query}`);
}
