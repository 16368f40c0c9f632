import { and, eq, sql } from 'drizzle-orm';
import { ErrorCode, RejectCode } from '../shared/errors';
import type { Mutation, MutationResult } from '../shared/protocol';
import { findService } from '../shared/services/catalog';
import type { ServiceDefinition } from '../shared/services/definition';
import { validateAnswers, type Answers } from '../shared/services/validate';
import { ApplicationStatus } from '../shared/status';
import { amendApplication } from './amend';
import { stateColumns, toApplicationState } from './application-state';
import type { Database } from './db/open';
import { applications, changes, devices, mutations, nextReference } from './db/schema';
import { httpError } from './http-error';
import { canonical, rejected, withoutEchoedAnswers, type Transaction } from './mutation-result';
import { rowsFrom, selectForInsert, uuidsFrom } from './sql-rows';

type Submit = Extract<Mutation, { type: 'application.submit' }>;

/** A submit that passed the shared rules, or its rejection. */
type Checked =
	| { ok: true; service: ServiceDefinition; answers: Answers }
	| { ok: false; result: MutationResult };

/**
 * Applies one push from an authenticated device and answers one result per mutation, in
 * the order sent.
 *
 * Atomic per batch: one transaction records every new mutation with its result, applies
 * it, appends its change and moves the device's `last_seq`. If the database fails anywhere,
 * nothing of the batch stays, the device gets a 5xx and sends the batch again; the
 * idempotency records make that safe, and because they commit only with their effects a
 * retry never finds half a batch.
 *
 * A fixed handful of statements whatever the batch size: lock the device, read the stored
 * results of ids seen before, insert all new applications together with their change rows,
 * read the few ids that were taken, and insert all idempotency records together with the
 * new `last_seq`. Amends, which must read before they write, take a per-row path in the
 * same transaction, in device order.
 */
export async function applyPush(
	db: Database,
	deviceId: string,
	batch: readonly Mutation[]
): Promise<MutationResult[]> {
	checkBatch(batch);
	// The shared rules need no database: run them before the transaction, which holds the
	// device's lock and a pooled connection for as long as it lasts. A submit seen before
	// is checked for nothing, but checking is cheaper than a round trip to find out.
	const checked = new Map<string, Checked>();
	for (const m of batch) if (m.type === 'application.submit') checked.set(m.id, checkSubmit(m));

	return db.transaction(async (tx) => {
		// The device row is the lock that puts one device's pushes one after another, on
		// any number of servers. Idempotency rests on it: mutation ids are scoped by device,
		// so while this push holds the lock nobody else can record one of this device's
		// ids, and a retry sent while the first attempt still runs waits here, then finds
		// every id recorded and answers from the store. (The read of known ids must be a
		// statement of its own after this one: in READ COMMITTED a statement that waited
		// for the lock still sees the rows of its own, older snapshot.)
		const [device] = await tx
			.select({ lastSeq: devices.lastSeq })
			.from(devices)
			.where(eq(devices.id, deviceId))
			.for('update')
			.prepare('push_lock_device')
			.execute();
		if (!device) {
			throw httpError(401, ErrorCode.unknownDevice, 'This device is not registered here.');
		}

		const results = new Map<string, MutationResult>();
		const stored = await tx
			.select({ id: mutations.id, result: mutations.result })
			.from(mutations)
			.where(
				and(
					eq(mutations.deviceId, deviceId),
					sql`${mutations.id} = any(${uuidsFrom(batch.map((m) => m.id))})`
				)
			)
			.prepare('push_known_mutations')
			.execute();
		// Seen before: answer exactly what was answered then, and write nothing for them.
		for (const row of stored) results.set(row.id, canonical(row.result));
		const fresh = batch.filter((m) => !results.has(m.id));

		// Promise 3: a device's mutations take effect in the order it made them. A new
		// mutation at or below a seq already recorded was made before something that has
		// taken effect; applying it now would reorder the device's history, so the whole
		// batch is refused, before anything is written. A known id with an old seq is a
		// replay, answered from the store above.
		const late = fresh.find((m) => m.seq <= device.lastSeq);
		if (late) {
			throw httpError(
				400,
				ErrorCode.outOfOrder,
				`Mutation ${late.id} has seq ${late.seq}, but this device already sent seq ` +
					`${device.lastSeq}: new mutations must come after every earlier one.`
			);
		}

		const last = fresh.at(-1);
		if (!last) return answersInOrder(batch, results);

		// In seq order; consecutive submits go together, each amend on its own.
		let run: Submit[] = [];
		for (const m of fresh) {
			if (m.type === 'application.submit') {
				run.push(m);
				continue;
			}
			await submitRun(tx, deviceId, run, checked, results);
			run = [];
			results.set(m.id, await amendApplication(tx, deviceId, m));
		}
		await submitRun(tx, deviceId, run, checked, results);

		const records = fresh.map((m) => {
			const result = withoutEchoedAnswers(canonical(results.get(m.id)), m);
			results.set(m.id, result);
			return { id: m.id, seq: m.seq, application_id: m.applicationId, result };
		});
		// The idempotency records, with their final answers, and the device's new last seq,
		// in one statement. No ON CONFLICT: under the device lock no id here can exist, and
		// if one ever did, failing the batch (and answering it from the store on retry) is
		// right where silently skipping the record of an applied mutation would not be.
		const moveLastSeq = tx.$with('move_last_seq', {})
			.as(sql`update ${devices} set ${sql.identifier(devices.lastSeq.name)} = ${last.seq}
				where ${sql.identifier(devices.id.name)} = ${deviceId}`);
		await tx
			.with(moveLastSeq)
			.insert(mutations)
			.select(
				selectForInsert(
					mutations,
					{
						deviceId: sql`${deviceId}::text`,
						id: sql`r.id`,
						seq: sql`r.seq`,
						applicationId: sql`r.application_id`,
						result: sql`r.result`,
						createdAt: sql`now()`
					},
					rowsFrom(records, 'r', 'id uuid, seq integer, application_id uuid, result jsonb')
				)
			)
			.prepare('push_record_mutations')
			.execute();

		return answersInOrder(batch, results);
	});
}

function answersInOrder(
	batch: readonly Mutation[],
	results: ReadonlyMap<string, MutationResult>
): MutationResult[] {
	return batch.map((m) => {
		const result = results.get(m.id);
		if (!result) throw new Error(`mutation ${m.id} has no result`);
		return result;
	});
}

/**
 * What can be refused before touching the database. Seqs must strictly increase through
 * the batch: the device sends its queue in the order it made it (promise 3), and a batch
 * that says otherwise is a client bug that no order of applying could make right.
 */
function checkBatch(batch: readonly Mutation[]): void {
	const ids = new Set<string>();
	let previous = 0;
	for (const [index, m] of batch.entries()) {
		if (ids.has(m.id)) {
			throw httpError(400, ErrorCode.invalidBody, 'A mutation id appears twice in the batch.', {
				[`mutations.${index}.id`]: 'the same mutation id appears earlier in the batch'
			});
		}
		ids.add(m.id);
		if (m.seq <= previous) {
			throw httpError(
				400,
				ErrorCode.outOfOrder,
				`Mutation ${m.id} has seq ${m.seq} after seq ${previous}: ` +
					'a batch must list mutations in the order they were made.'
			);
		}
		previous = m.seq;
	}
}

/** The shared rules for a submission: a known service and version, valid answers. */
function checkSubmit(m: Submit): Checked {
	if (!findService(m.serviceId)) {
		return { ok: false, result: rejected(m.id, RejectCode.unknownService) };
	}
	const service = findService(m.serviceId, m.serviceVersion);
	if (!service) {
		return { ok: false, result: rejected(m.id, RejectCode.unsupportedServiceVersion) };
	}
	// The device validated too, but the server trusts only its own run of the same rules.
	const validation = validateAnswers(service, m.answers);
	if (!validation.ok) {
		return {
			ok: false,
			result: rejected(m.id, RejectCode.invalidAnswers, validation.fieldErrors)
		};
	}
	return { ok: true, service, answers: validation.answers };
}

interface ValidSubmit {
	m: Submit;
	service: ServiceDefinition;
	answers: Answers;
}

/**
 * Applies consecutive submits: one statement inserts all their applications and appends
 * their change rows; the database is asked only what it alone knows, whether an id is free.
 */
async function submitRun(
	tx: Transaction,
	deviceId: string,
	run: readonly Submit[],
	checked: ReadonlyMap<string, Checked>,
	results: Map<string, MutationResult>
): Promise<void> {
	const valid: ValidSubmit[] = [];
	for (const m of run) {
		const check = checked.get(m.id);
		if (!check) throw new Error(`submit ${m.id} was not checked`);
		if (check.ok) valid.push({ m, service: check.service, answers: check.answers });
		else results.set(m.id, check.result);
	}
	if (valid.length === 0) return;

	// The first submit of each application id is the one that may create it; a later one
	// in the same run is a duplicate of it, as it would be one batch later.
	const creators = new Map<string, ValidSubmit>();
	for (const s of valid) if (!creators.has(s.m.applicationId)) creators.set(s.m.applicationId, s);

	const inserted = tx.$with('inserted').as(
		tx
			.insert(applications)
			.select(
				selectForInsert(
					applications,
					{
						id: sql`a.id`,
						deviceId: sql`${deviceId}::text`,
						serviceId: sql`a.service_id`,
						serviceVersion: sql`a.service_version`,
						answers: sql`a.answers`,
						status: sql`${ApplicationStatus.received}::text`,
						// Numbered in device order: rows are inserted in array order.
						reference: nextReference,
						version: sql`1`,
						reason: sql`null`,
						createdAt: sql`now()`,
						updatedAt: sql`now()`
					},
					rowsFrom(
						[...creators.values()].map((s) => ({
							id: s.m.applicationId,
							service_id: s.service.id,
							service_version: s.service.version,
							answers: s.answers
						})),
						'a',
						'id uuid, service_id text, service_version integer, answers jsonb'
					)
				)
			)
			// An id already in use (or being inserted by a transaction still running, which
			// this waits for) is skipped here and answered from the select below.
			.onConflictDoNothing({ target: applications.id })
			.returning(stateColumns)
	);
	// Every inserted application gets its row in the owner's feed, in the same statement.
	const feed = tx
		.$with('feed', {})
		.as(
			sql`insert into ${changes} (${sql.identifier(changes.applicationId.name)}, ${sql.identifier(
				changes.deviceId.name
			)}) select ${sql.identifier(applications.id.name)}, ${deviceId}::text from ${inserted}`
		);
	const rows = await tx
		.with(inserted, feed)
		.select()
		.from(inserted)
		.prepare('push_insert_applications')
		.execute();
	const created = new Map(rows.map((row) => [row.id, row]));

	const taken = [...creators.keys()].filter((id) => !created.has(id));
	const existing = taken.length
		? await tx
				.select({ ...stateColumns, deviceId: applications.deviceId })
				.from(applications)
				.where(sql`${applications.id} = any(${uuidsFrom(taken)})`)
				.prepare('push_taken_applications')
				.execute()
		: [];
	const existingById = new Map(existing.map((row) => [row.id, row]));

	for (const { m } of valid) {
		const mine = created.get(m.applicationId);
		if (mine) {
			const status = creators.get(m.applicationId)?.m === m ? 'applied' : 'duplicate';
			results.set(m.id, { mutationId: m.id, status, application: toApplicationState(mine) });
			continue;
		}
		const row = existingById.get(m.applicationId);
		if (!row) throw new Error(`application ${m.applicationId} conflicted but cannot be read`);
		// The owner learns the current state; anyone else learns only that the id is
		// taken, never whose it is or what it holds.
		results.set(
			m.id,
			row.deviceId === deviceId
				? { mutationId: m.id, status: 'duplicate', application: toApplicationState(row) }
				: rejected(m.id, RejectCode.applicationIdTaken)
		);
	}
}
