/**
 * Overlapping transactions on purpose, without a timer: a test holds a row lock (or a
 * trigger holds a transaction open) and waits here until the requests it started are seen
 * waiting in PostgreSQL.
 */
import type { Sql } from 'postgres';

/**
 * Resolves once `count` other sessions of this database wait with pg_stat_activity's
 * `wait_event_type` (`Lock`: on a row lock; `Timeout`: in pg_sleep), or once every request
 * in `work` has settled: if the code under test takes no lock, nothing will ever wait, and
 * the test's own assertions must then say what went wrong. Throws if neither happens
 * within `timeoutMs`.
 */
export async function sessionsWaitingOrSettled(
	sql: Sql,
	count: number,
	work: readonly Promise<unknown>[],
	waitEventType: 'Lock' | 'Timeout' = 'Lock',
	timeoutMs = 10_000
): Promise<void> {
	let settled = false;
	void Promise.allSettled(work).then(() => (settled = true));
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const [row] = await sql<{ waiting: number }[]>`
			select count(*)::int as waiting from pg_stat_activity
			where datname = current_database() and wait_event_type = ${waitEventType}
				and pid <> pg_backend_pid()`;
		if ((row?.waiting ?? 0) >= count || settled) return;
		if (Date.now() > deadline) {
			throw new Error(
				`${row?.waiting ?? 0} of ${count} sessions waited (${waitEventType}) in time`
			);
		}
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}
