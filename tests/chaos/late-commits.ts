/**
 * Late commits, the one thing a faulty network cannot produce: a transaction that has
 * written its row (and so taken its feed position) but commits only after others with
 * later positions committed and a device pulled past them. The pull's snapshot bound
 * (sync/routes.ts) is what keeps such a change from being skipped for good; without it the
 * device's final mirror misses it, which the checks see.
 *
 * The servers are not changed for this: a trigger in the scratch database holds a
 * reviewer's decision open, after its update, for as long as its application is listed in
 * `chaos_held`. Decisions, because nothing but a pull brings them to the device.
 */
import type { Sql } from 'postgres';
import { sessionsWaitingOrSettled } from '../support/session-waits';
import type { SimDevice } from './devices';
import { sleep } from './random';
import type { Reviewer } from './reviewer';

/** Installs the hold; call after the servers migrated the database. */
export async function installHold(sql: Sql): Promise<void> {
	await sql.unsafe(`
		create table chaos_held as select id from applications where false;
		create function chaos_hold() returns trigger language plpgsql as $$
		begin
			-- Each check reads committed rows afresh (READ COMMITTED), so a delete ends it.
			while exists (select 1 from chaos_held where id = new.id) loop
				perform pg_sleep(0.02);
			end loop;
			return null;
		end $$;
		create trigger chaos_hold after update on applications
			for each row when (old.status is distinct from new.status)
			execute function chaos_hold();
	`);
}

/**
 * For each of `devices`: the reviewer takes one of its plain received applications in
 * review, and while that decision is held open (row written, not committed) the person
 * submits application `n` and the device syncs: its push commits later feed positions and
 * its pull runs past the held one. Then the decisions commit. Returns how many were held.
 */
export async function commitLate(
	sql: Sql,
	devices: readonly SimDevice[],
	reviewer: Reviewer,
	exclude: ReadonlySet<string>,
	n: number,
	deadline: number
): Promise<number> {
	const targets: { device: SimDevice; id: string; version: number }[] = [];
	for (const device of devices) {
		const rows = await sql<{ id: string; version: number }[]>`
			select id, version from applications
			where device_id = ${device.id} and status = 'received' order by id`;
		const row = rows.find((r) => !exclude.has(r.id));
		if (row) targets.push({ device, ...row });
	}
	if (targets.length === 0) return 0;
	await sql`insert into chaos_held ${sql(targets.map(({ id }) => ({ id })))}`;
	const decisions = targets.map((t) => reviewer.decide(t.id, 'in_review', t.version, deadline));
	try {
		await sessionsWaitingOrSettled(sql, targets.length, decisions, 'Timeout');
		for (const { device } of targets) {
			await device.submit(n);
			while (!(await device.sync())) {
				if (Date.now() > deadline) throw new Error(`${device.name} could not sync`);
				await sleep(50);
			}
		}
	} finally {
		await sql`delete from chaos_held`;
	}
	await Promise.all(decisions);
	return targets.length;
}
