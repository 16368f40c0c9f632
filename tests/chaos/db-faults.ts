/**
 * Database faults: while the chaos runs, the backends of the chaos servers are terminated
 * at seeded moments (pg_terminate_backend, what a failover, a PgBouncer restart or an idle
 * timeout does to a server), each picked among those busy with a push, a pull or an
 * upload's record step. Every request that loses its connection must be answered 503 (or
 * retried and answered), the server must live, and the promises must hold.
 *
 * An upload's record step is one short statement, rarely caught by chance: during the
 * chaos a trigger makes each insert into `files` sleep a little (pg_sleep), so the injector
 * finds it waiting and may terminate it, leaving the bytes whole and unrecorded.
 */
import type postgres from 'postgres';
import { sleep, type Rng } from './random';

type Kind = 'push' | 'pull' | 'upload' | 'other';

/** What a server backend was doing, from its statement in pg_stat_activity. */
function kindOf(query: string): Kind {
	if (/into "files"|for share/i.test(query)) return 'upload';
	if (/pg_snapshot_xmin/i.test(query)) return 'pull';
	if (/"devices"|"applications"|"mutations"/i.test(query)) return 'push';
	return 'other';
}

export class DatabaseFaults {
	readonly kills: Record<Kind, number> = { push: 0, pull: 0, upload: 0, other: 0 };
	#stopped = false;
	readonly #done: Promise<void>;

	private constructor(sql: postgres.Sql, rng: Rng) {
		this.#done = this.#loop(sql, rng);
	}

	/** Installs the slow record step and starts terminating backends. */
	static async start(sql: postgres.Sql, rng: Rng): Promise<DatabaseFaults> {
		await sql.unsafe(`
			create function chaos_slow_file() returns trigger language plpgsql as $$
			begin
				perform pg_sleep(0.15);
				return new;
			end $$;
			create trigger chaos_slow_file before insert on files
				for each row execute function chaos_slow_file();`);
		return new DatabaseFaults(sql, rng);
	}

	get total(): number {
		return Object.values(this.kills).reduce((a, b) => a + b, 0);
	}

	/** Stops terminating and makes the record step fast again. */
	async stop(sql: postgres.Sql): Promise<void> {
		this.#stopped = true;
		await this.#done;
		await sql.unsafe(`drop trigger chaos_slow_file on files; drop function chaos_slow_file();`);
	}

	async #loop(sql: postgres.Sql, rng: Rng): Promise<void> {
		while (!this.#stopped) {
			await sleep(rng.int(150, 700));
			// Busy server backends only: running a statement, or inside a transaction
			// between two. No harness session is open meanwhile but this one.
			const busy = await sql<{ pid: number; query: string }[]>`
				select pid, query from pg_stat_activity
				where datname = current_database() and backend_type = 'client backend'
					and pid <> pg_backend_pid() and state in ('active', 'idle in transaction')
					-- A server starting: losing its migration is a failed start, not this fault.
					and query not ilike '%advisory%' and query not ilike '%drizzle%'
				order by pid`;
			if (busy.length === 0) continue;
			// Prefer the record step when one is caught: it is the rare one.
			const uploads = busy.filter((b) => kindOf(b.query) === 'upload');
			const victim = uploads.length > 0 && rng.chance(0.7) ? rng.pick(uploads) : rng.pick(busy);
			const [killed] = await sql<{ ok: boolean }[]>`
				select pg_terminate_backend(${victim.pid}) as ok`;
			if (killed?.ok) this.kills[kindOf(victim.query)] += 1;
		}
	}
}
