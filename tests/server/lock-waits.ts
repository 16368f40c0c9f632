/**
 * Overlapping two transactions on purpose, without a timer: a test holds a row lock on one
 * connection and waits here until the requests it started are seen blocked on it.
 */
import type { Sql } from 'postgres';

/**
 * Resolves once `count` other sessions of this database wait on a lock (pg_stat_activity's
 * `wait_event_type = 'Lock'`), or once every request in `work` has settled: if the code
 * under test takes no lock, nothing will ever wait, and the test's own assertions must then
 * say what went wrong. Throws if neither happens within `timeoutMs`.
 */
export async function lockWaitsOrSettled(
	sql: Sql,
	count: number,
	work: readonly Promise<unknown>[],
	timeoutMs = 10_000
): Promise<void> {
	let settled = false;
	void Promise.allSettled(work).then(() => (settled = true));
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const [row] = await sql<{ waiting: number }[]>`
			select count(*)::int as waiting from pg_stat_activity
			where datname = current_database() and wait_event_type = 'Lock'
				and pid <> pg_backend_pid()`;
		if ((row?.waiting ?? 0) >= count || settled) return;
		if (Date.now() > deadline) {
			throw new Error(`${row?.waiting ?? 0} of ${count} sessions waited on a lock in time`);
		}
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}
