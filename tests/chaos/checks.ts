/**
 * The promises, checked against PostgreSQL directly (not through the API under test)
 * once every device has settled. The oracle is what the test itself recorded: each
 * mutation the person queued (after IndexedDB committed it) and each decision the
 * reviewer knows took effect. Returns every violation found, not just the first, so a
 * failing seed explains itself in one run.
 */
import { isDeepStrictEqual } from 'node:util';
import type postgres from 'postgres';
import type { OutboxEntry } from '../../app/lib/db/database';
import type { ApplicationState } from '../../shared/protocol';
import type { Answers } from '../../shared/services/validate';
import type { QueuedMutation, SimDevice } from './devices';
import type { DecisionRecord } from './reviewer';
import type { Scenario, ScenarioKind } from './scenarios';

interface Row {
	id: string;
	device_id: string;
	status: ApplicationState['status'];
	version: number;
	answers: Answers;
	reference: string;
	reason: string | null;
}

/** All the ways the database, the devices and the record disagree. Empty means kept. */
export async function checkPromises(
	sql: postgres.Sql,
	devices: SimDevice[],
	decisions: DecisionRecord[],
	scenarios: Scenario[]
): Promise<string[]> {
	const problems: string[] = [];
	const fail = (text: string) => problems.push(text);

	const rows = await sql<Row[]>`
		select id, device_id, status, version, answers, reference, reason from applications`;
	const byId = new Map(rows.map((row) => [row.id, row]));
	// Every recorded mutation, wherever it is kept: a submit that made an application on
	// that application (which does not keep its seq), every other in `mutations`.
	const mutationRows = await sql<
		{ device_id: string; id: string; seq: number | null; status: string; copies: number }[]
	>`
		select device_id, id, min(seq) as seq, min(status) as status, count(*)::int as copies
		from (
			select device_id, id, seq, result->>'status' as status from mutations
			union all
			select device_id, mutation_id, null, 'applied' from applications
		) as recorded
		group by device_id, id`;
	const deviceRows = await sql<{ id: string; last_seq: number }[]>`
		select id, last_seq from devices`;
	const lastSeq = new Map(deviceRows.map((row) => [row.id, row.last_seq]));
	const scenarioOf = new Map(
		scenarios.filter((s) => !s.unplayed).map((s) => [s.applicationId, s.kind])
	);
	for (const s of scenarios) if (s.unplayed) fail(`${s.kind} scenario not played: ${s.unplayed}`);

	// Exactly once, across the whole table: as many rows as the devices submitted.
	const submitted = devices.flatMap((d) => d.queued.filter((m) => m.type === 'application.submit'));
	if (rows.length !== submitted.length) {
		fail(`applications has ${rows.length} rows; the devices submitted ${submitted.length}`);
	}
	for (const m of mutationRows.filter((row) => row.copies > 1)) {
		fail(`mutation ${m.id} of ${m.device_id} is recorded ${m.copies} times`);
	}
	// Counted by key and by content, not trusted to the constraints: the primary key says
	// an id is stored once, but a second row for the same person's application under a new
	// id (a client that re-made ids on retry) or a reused seq would pass the key.
	const repeats = await sql<{ what: string; key: string; count: number }[]>`
		select 'application id' as what, id::text as key, count(*)::int as count
			from applications group by id having count(*) > 1
		union all
		select 'IIN', answers->>'iin', count(*)::int from applications
			group by answers->>'iin' having count(*) > 1
		union all
		select 'device seq', device_id || ' ' || seq, count(*)::int from mutations
			group by device_id, seq having count(*) > 1`;
	for (const r of repeats) fail(`${r.what} ${r.key} appears ${r.count} times`);

	for (const device of devices) {
		const who = device.name;
		const mine = rows.filter((row) => row.device_id === device.id);
		const recorded = new Map(
			mutationRows.filter((row) => row.device_id === device.id).map((row) => [row.id, row])
		);
		const outbox: OutboxEntry[] = await device.db.outbox.toArray();
		const waiting = new Map(outbox.map((entry) => [entry.id, entry]));

		// Promise 1 and 2: every mutation queued is recorded once, with the seq it was sent
		// with; nothing is recorded that the device never queued.
		for (const m of device.queued) {
			const row = recorded.get(m.id);
			if (!row) fail(`${who}: mutation ${m.id} (${m.type}) was queued but never recorded`);
			else if (row.seq !== null && row.seq !== m.seq) {
				fail(`${who}: mutation ${m.id} recorded with seq ${row.seq}`);
			}
		}
		const queuedIds = new Set(device.queued.map((m) => m.id));
		for (const id of recorded.keys()) {
			if (!queuedIds.has(id)) fail(`${who}: the server recorded mutation ${id} nobody queued`);
		}
		const maxSeq = Math.max(0, ...device.queued.map((m) => m.seq));
		if (lastSeq.get(device.id) !== maxSeq) {
			fail(`${who}: devices.last_seq is ${lastSeq.get(device.id)}, the highest queued ${maxSeq}`);
		}

		const submits = device.queued.filter((m) => m.type === 'application.submit');
		const submittedIds = new Set(submits.map((m) => m.applicationId));
		for (const row of mine) {
			if (!submittedIds.has(row.id)) fail(`${who}: application ${row.id} was never submitted`);
		}

		// Promise 3: submissions took effect in the device's order. References are numbered
		// in the order applications are inserted.
		let previous = -1;
		for (const m of [...submits].sort((a, b) => a.seq - b.seq)) {
			const reference = byId.get(m.applicationId)?.reference;
			if (reference === undefined) continue;
			const number = Number(reference.split('-')[2]);
			if (number <= previous) fail(`${who}: seq ${m.seq} took effect out of order`);
			previous = number;
		}

		// Promise 6: the outbox holds only answered corrections, and only expected ones.
		for (const entry of outbox) {
			if (entry.type !== 'application.amend' || !(entry.conflict || entry.rejection)) {
				fail(`${who}: outbox still holds ${entry.type} ${entry.id} (${JSON.stringify(entry)})`);
			}
		}

		for (const submit of submits) {
			const row = byId.get(submit.applicationId);
			if (!row) {
				fail(`${who}: application ${submit.applicationId} is not in the database`);
				continue;
			}
			if (row.device_id !== device.id) fail(`${who}: ${row.id} belongs to ${row.device_id}`);
			if (recorded.get(submit.id)?.status !== 'applied') {
				fail(`${who}: submission ${submit.id} was answered ${recorded.get(submit.id)?.status}`);
			}
			const amends = device.queued.filter(
				(m) => m.type === 'application.amend' && m.applicationId === row.id
			);
			checkApplication(who, row, {
				submit,
				amends,
				waiting,
				recorded,
				decisions: decisions.filter((d) => d.applicationId === row.id),
				kind: scenarioOf.get(row.id),
				fail
			});
		}

		// Promise 4: the mirror is exactly the server's rows for this device.
		const mirror = new Map((await device.db.mirror.toArray()).map((s) => [s.id, s]));
		for (const row of mine) {
			const seen = mirror.get(row.id);
			const want = visible(row);
			const got = seen && visible(seen);
			if (!isDeepStrictEqual(got, want)) {
				fail(
					`${who}: mirror of ${row.id} is ${JSON.stringify(got)}, server ${JSON.stringify(want)}`
				);
			}
		}
		if (mirror.size !== mine.length) {
			fail(`${who}: mirror holds ${mirror.size} applications, the server ${mine.length}`);
		}
	}
	return problems;
}

/** What a device must agree with the server on. */
function visible(
	state: Pick<Row, 'status' | 'version' | 'answers' | 'reference'> & {
		reason?: string | null;
	}
) {
	return {
		status: state.status,
		version: state.version,
		answers: state.answers,
		reference: state.reference,
		reason: state.reason ?? null
	};
}

interface ApplicationFacts {
	submit: QueuedMutation;
	amends: QueuedMutation[];
	waiting: Map<string, OutboxEntry>;
	recorded: Map<string, { status: string }>;
	decisions: DecisionRecord[];
	kind: ScenarioKind | undefined;
	fail: (text: string) => void;
}

/**
 * One application's final state against what happened to it: every change that took
 * effect counted once (version), no correction silently overwriting a
 * decision, and each correction answered as its scenario requires.
 */
function checkApplication(who: string, row: Row, facts: ApplicationFacts): void {
	const { amends, waiting, recorded, decisions, kind, fail } = facts;
	const at = `${who}: ${kind ?? 'plain'} application ${row.id}`;
	// A correction left the outbox only if the server applied it (applied or duplicate);
	// the server's own record must say the same.
	const appliedAmends = amends.filter((m) => !waiting.has(m.id));
	for (const m of amends) {
		const status = recorded.get(m.id)?.status;
		const entry = waiting.get(m.id);
		const device = entry?.conflict ? 'conflict' : entry?.rejection ? 'rejected' : 'applied';
		if (status !== device)
			fail(`${at}: amend ${m.id} is ${device} on the device, ${status} on the server`);
	}
	const appliedDecisions = decisions.filter((d) => d.outcome === 'applied');

	const version = 1 + appliedAmends.length + appliedDecisions.length;
	if (row.version !== version) fail(`${at}: version ${row.version}, expected ${version}`);
	const status = appliedDecisions.at(-1)?.status ?? 'received';
	if (row.status !== status) fail(`${at}: status ${row.status}, expected ${status}`);
	if ((row.reason !== null) !== (status === 'rejected')) fail(`${at}: reason ${row.reason}`);
	const answers = appliedAmends.at(-1)?.answers ?? facts.submit.answers;
	if (!isDeepStrictEqual(row.answers, answers)) {
		fail(`${at}: answers ${JSON.stringify(row.answers)}, expected ${JSON.stringify(answers)}`);
	}

	const amend = amends[0];
	const entry = amend && waiting.get(amend.id);
	const decided = appliedDecisions[0];
	switch (kind) {
		case 'amend':
			if (appliedAmends.length !== 1) fail(`${at}: the correction did not apply`);
			break;
		case 'closed':
			if (!decided) fail(`${at}: the reviewer's decision did not apply`);
			if (entry?.rejection?.code !== 'application_closed') {
				fail(`${at}: a correction of a decided application answered ${JSON.stringify(entry)}`);
			}
			break;
		case 'conflict':
			if (!decided) fail(`${at}: the reviewer's decision did not apply`);
			if (!entry?.conflict || entry.conflict.version !== 2) {
				fail(`${at}: a correction of an old version answered ${JSON.stringify(entry)}`);
			}
			break;
		case 'race': {
			// On the same base version both cannot win: that would be a lost update.
			if (Boolean(decided) === (appliedAmends.length === 1)) {
				fail(
					`${at}: decision applied ${Boolean(decided)}, correction applied ${appliedAmends.length}`
				);
			}
			// The loser learns why: a version it did not see, or a decision that closed it.
			const lost =
				decided?.status === 'in_review'
					? entry?.conflict?.version === 2
					: entry?.rejection?.code === 'application_closed';
			if (decided && !lost) fail(`${at}: the losing correction answered ${JSON.stringify(entry)}`);
			break;
		}
		case 'decide':
			if (appliedDecisions.length !== 2)
				fail(`${at}: ${appliedDecisions.length} decisions applied`);
			break;
	}
}
