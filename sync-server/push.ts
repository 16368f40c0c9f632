import { and, eq, inArray, sql } from 'drizzle-orm';
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
import { canonical, rejected, type Transaction } from './mutation-result';
import { rowsFrom, selectForInsert } from './sql-rows';

type Submit = Extract<Mutation, { type: 'application.submit' }>;

/**
 * Applies one push from an authenticated device and answers one result per mutation, in
 * the order sent.
 *
 * Atomic per batch: one transaction claims every mutation id, applies the new ones in seq
 * order, records their results and moves the device's `last_seq`. If the database fails
 * anywhere, nothing of the batch stays, the device gets a 5xx and sends the batch again;
 * the idempotency records make that safe, and because they commit only with their effects
 * a retry can never find half a batch.
 *
 * The work is a fixed handful of statements whatever the batch size: claim all ids, read
 * the stored results of known ones, insert all new applications, read the few that
 * collided, append all changes, store all results, move `last_seq`. Amends, which must
 * read before they write, take a per-row path in the same transaction and in device order.
 */
export async function applyPush(
	db: Database,
	deviceId: string,
	batch: readonly Mutation[]
): Promise<MutationResult[]> {
	checkBatch(batch);
	return db.transaction(async (tx) => {
		// The device row is the lock that puts one device's pushes one after another, on
		// however many servers: `last_seq` is read and moved by one push at a time, and a
		// retry sent while the first attempt is still running waits for it, then finds
		// every id known and answers from the store.
		const [device] = await tx
			.select({ lastSeq: devices.lastSeq })
			.from(devices)
			.where(eq(devices.id, deviceId))
			.for('update');
		if (!device) {
			throw httpError(401, ErrorCode.unknownDevice, 'This device is not registered here.');
		}

		// Claim every id at once. The placeholder result is never seen: a claim commits only
		// together with the real result, in this transaction.
		const claimedRows = await tx
			.insert(mutations)
			.select(
				selectForInsert(
					mutations,
					{
						deviceId: sql`${deviceId}::text`,
						id: sql`m.id`,
						seq: sql`m.seq`,
						applicationId: sql`m.application_id`,
						result: sql`'{}'::jsonb`,
						createdAt: sql`now()`
					},
					rowsFrom(
						batch.map((m) => ({ id: m.id, seq: m.seq, application_id: m.applicationId })),
						'm',
						'id uuid, seq integer, application_id uuid'
					)
				)
			)
			.onConflictDoNothing()
			.returning({ id: mutations.id });
		const claimed = new Set(claimedRows.map((row) => row.id));
		const fresh = batch.filter((m) => claimed.has(m.id));

		// Promise 3: a device's mutations take effect in the order it made them. A new
		// mutation below a seq already recorded was made before something that has already
		// taken effect; applying it now would reorder the device's history, so the whole
		// batch is refused and the rollback un-claims every id. A known id with an old seq
		// is a replay, answered from the store below.
		const late = fresh.find((m) => m.seq <= device.lastSeq);
		if (late) {
			throw httpError(
				400,
				ErrorCode.outOfOrder,
				`Mutation ${late.id} has seq ${late.seq}, but this device already sent seq ` +
					`${device.lastSeq}: new mutations must come after every earlier one.`
			);
		}

		const results = new Map<string, MutationResult>();
		if (fresh.length < batch.length) {
			// Seen before: answer exactly what was answered then, and write nothing for them.
			const known = batch.filter((m) => !claimed.has(m.id)).map((m) => m.id);
			const stored = await tx
				.select({ id: mutations.id, result: mutations.result })
				.from(mutations)
				.where(and(eq(mutations.deviceId, deviceId), inArray(mutations.id, known)));
			for (const row of stored) results.set(row.id, canonical(row.result));
		}

		const last = fresh.at(-1);
		if (last) {
			// In seq order; consecutive submits go together, each amend on its own.
			let run: Submit[] = [];
			for (const m of fresh) {
				if (m.type === 'application.submit') {
					run.push(m);
					continue;
				}
				await submitRun(tx, deviceId, run, results);
				run = [];
				results.set(m.id, await amendApplication(tx, deviceId, m));
			}
			await submitRun(tx, deviceId, run, results);

			const answered = fresh.map((m) => {
				const result = canonical(results.get(m.id));
				results.set(m.id, result);
				return { id: m.id, result };
			});
			await tx
				.update(mutations)
				.set({ result: sql`r.result` })
				.from(rowsFrom(answered, 'r', 'id uuid, result jsonb'))
				.where(and(eq(mutations.deviceId, deviceId), sql`${mutations.id} = r.id`));
			await tx.update(devices).set({ lastSeq: last.seq }).where(eq(devices.id, deviceId));
		}

		return batch.map((m) => {
			const result = results.get(m.id);
			if (!result) throw new Error(`mutation ${m.id} has no result`);
			return result;
		});
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

interface ValidSubmit {
	m: Submit;
	service: ServiceDefinition;
	answers: Answers;
}

/**
 * Applies consecutive submits with one insert for all their applications. Validation is
 * in memory; the database is asked only about what it alone knows: whether an id is free.
 */
async function submitRun(
	tx: Transaction,
	deviceId: string,
	run: readonly Submit[],
	results: Map<string, MutationResult>
): Promise<void> {
	const valid: ValidSubmit[] = [];
	for (const m of run) {
		if (!findService(m.serviceId)) {
			results.set(m.id, rejected(m.id, RejectCode.unknownService));
			continue;
		}
		const service = findService(m.serviceId, m.serviceVersion);
		if (!service) {
			results.set(m.id, rejected(m.id, RejectCode.unsupportedServiceVersion));
			continue;
		}
		// The device validated too, but the server trusts only its own run of the same rules.
		const validation = validateAnswers(service, m.answers);
		if (!validation.ok) {
			results.set(m.id, rejected(m.id, RejectCode.invalidAnswers, validation.fieldErrors));
			continue;
		}
		valid.push({ m, service, answers: validation.answers });
	}
	if (valid.length === 0) return;

	// The first submit of each application id is the one that may create it; a later one
	// in the same run is a duplicate of it, as it would be one batch later.
	const creators = new Map<string, ValidSubmit>();
	for (const s of valid) if (!creators.has(s.m.applicationId)) creators.set(s.m.applicationId, s);

	const inserted = await tx
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
		.returning(stateColumns);
	const created = new Map(inserted.map((row) => [row.id, row]));

	const taken = [...creators.keys()].filter((id) => !created.has(id));
	const existing = taken.length
		? await tx
				.select({ ...stateColumns, deviceId: applications.deviceId })
				.from(applications)
				.where(inArray(applications.id, taken))
		: [];
	const existingById = new Map(existing.map((row) => [row.id, row]));

	if (inserted.length > 0) {
		await tx.insert(changes).values(inserted.map((row) => ({ applicationId: row.id, deviceId })));
	}

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
