import { and, eq, sql } from 'drizzle-orm';
import { ErrorCode, RejectCode } from '../../shared/errors';
import type { Mutation, MutationResult } from '../../shared/protocol';
import type { ServiceDefinition } from '../../shared/services/definition';
import { regionOf } from '../../shared/services/region';
import { validateAnswers, type Answers } from '../../shared/services/validate';
import { ApplicationStatus } from '../../shared/status';
import { amendApplication } from './amend';
import { missingFiles } from '../files/attached-files';
import { stateColumns, toApplicationState, type StateRow } from './application-state';
import type { Catalogue } from '../catalogue/catalogue';
import type { Database } from '../db/open';
import {
	applications,
	devices,
	feedMove,
	HistoryKind,
	mutations,
	nextReference
} from '../db/schema';
import { appendHistory, type HistoryEntry } from './history';
import { openRegistrations, reviewReasonOf, ruleOutcomes } from './automatic-decisions';
import { recordDocuments, signDocuments, type IssuedDocument } from '../documents/issue';
import type { DocumentKeys, SigningKey } from '../documents/signing-keys';
import { httpError } from '../http/errors';
import type { Transaction } from '../db/open';
import { canonical, rejected, withoutEchoedAnswers } from './mutation-result';
import { rowsFrom, selectForInsert, uuidsFrom } from '../db/sql-rows';

type Submit = Extract<Mutation, { type: 'application.submit' }>;

/** A submit that passed the shared rules, or its rejection. */
type Checked =
	| { ok: true; service: ServiceDefinition; answers: Answers }
	| { ok: false; result: MutationResult };

/** The pushing device as its locked row says: who owns what it sends, where its seqs are. */
interface Sender {
	deviceId: string;
	ownerId: string;
	lastSeq: number;
	/** The signed-in account that sent it, for the application history; none in scripts. */
	actor?: string;
}

/** What a push's automatic rules need: who holds a registration, what to sign with. */
interface Deciding {
	/** Registrations open before this push, and those it made so far (automatic-decisions.ts). */
	open: Set<string>;
	/** Present when some submit of the push is of a service a rule decides. */
	key?: SigningKey;
}

/**
 * Applies one push from an authenticated device and answers one result per mutation, in
 * the order sent.
 *
 * Atomic per batch: one transaction applies every new mutation, records how it was
 * answered and moves the device's `last_seq`. If the database fails anywhere, nothing of
 * the batch stays, the device gets a 5xx and sends the batch again; the idempotency
 * records make that safe, and because they commit only with their effects a retry never
 * finds half a batch.
 *
 * The usual push (new submits) is five statements whatever its size: lock the device,
 * read the answers of ids seen before, insert every application (each row is also its
 * change-feed entry and the record of the submit that made it), append their receipt to
 * the application history, and move `last_seq`. Only
 * what is unusual costs more: a submit that was refused, or found its id taken, is
 * recorded in `mutations` with its result; an amend, which must read before it writes,
 * takes a per-row path in the same transaction, in device order.
 */
export async function applyPush(
	db: Database,
	deviceId: string,
	batch: readonly Mutation[],
	catalogue: Catalogue,
	/** Who sent it, for the application history; where documents a rule issues are signed. */
	by: { actor?: string; documents: DocumentKeys }
): Promise<MutationResult[]> {
	checkBatch(batch);
	// The shared rules need no database: run them before the transaction, which holds the
	// device's lock and a pooled connection for as long as it lasts. A submit seen before
	// is checked for nothing, but checking is cheaper than a round trip to find out.
	const checked = new Map<string, Checked>();
	for (const m of batch)
		if (m.type === 'application.submit') checked.set(m.id, checkSubmit(m, catalogue));
	// The signing key is read before the transaction (it is cached), never inside it: a
	// transaction must not wait on a second connection of the pool.
	const automatic = [...checked.values()].filter((c) => c.ok);
	const key = automatic.some((c) => c.service.processing.kind === 'automatic')
		? await by.documents.current()
		: undefined;

	return db.transaction(async (tx) => {
		// The device row is the lock that puts one device's pushes one after another, on
		// any number of servers. Idempotency rests on it: mutation ids are scoped by
		// device, so while this push holds the lock nobody else can record one of this
		// device's ids, and a retry sent while the first attempt still runs waits here,
		// then finds every id recorded and answers from the store. (The read of known
		// ids must be a statement of its own after this one: in READ COMMITTED a
		// statement that waited for the lock still sees the rows of its own, older
		// snapshot.)
		const [device] = await tx
			.select({ lastSeq: devices.lastSeq, ownerId: devices.ownerId })
			.from(devices)
			.where(eq(devices.id, deviceId))
			.for('update')
			.prepare('push_lock_device')
			.execute();
		if (!device) {
			throw httpError(401, ErrorCode.unknownDevice, 'This device is not registered here.');
		}
		const sender: Sender = { deviceId, ...device, actor: by.actor };

		// Seen before: answer exactly what was answered then, and write nothing for them.
		const results = await answeredBefore(tx, deviceId, batch, checked);
		const fresh = batch.filter((m) => !results.has(m.id));

		// Promise 3: a device's mutations take effect in the order it made them. A new
		// mutation at or below a seq already recorded was made before something that has
		// taken effect; applying it now would reorder the device's history, so the whole
		// batch is refused, before anything is written. A known id with an old seq is a
		// replay, answered from the store above.
		const late = fresh.find((m) => m.seq <= sender.lastSeq);
		if (late) {
			throw httpError(
				400,
				ErrorCode.outOfOrder,
				`Mutation ${late.id} has seq ${late.seq}, but this device already sent seq ` +
					`${sender.lastSeq}: new mutations must come after every earlier one.`
			);
		}

		const last = fresh.at(-1);
		if (!last) return answersInOrder(batch, results);

		// The rules' facts, read once under the applicants' locks for the whole push.
		const deciding: Deciding = {
			key,
			open: await openRegistrations(
				tx,
				fresh.flatMap((m) => {
					const check = checked.get(m.id);
					return check?.ok ? [check] : [];
				})
			)
		};

		// In seq order; consecutive submits go together, each amend on its own. Submits
		// that made their application are recorded on it; every other answer goes to
		// `mutations`.
		const records: Mutation[] = [];
		let run: Submit[] = [];
		for (const m of fresh) {
			if (m.type === 'application.submit') {
				run.push(m);
				continue;
			}
			records.push(...(await submitRun(tx, sender, run, checked, results, deciding)));
			run = [];
			results.set(m.id, await amendApplication(tx, sender, m, catalogue));
			records.push(m);
		}
		records.push(...(await submitRun(tx, sender, run, checked, results, deciding)));

		for (const m of fresh) {
			results.set(m.id, withoutEchoedAnswers(canonical(results.get(m.id)), m));
		}
		await recordAnswers(tx, sender, last.seq, records, results);
		return answersInOrder(batch, results);
	});
}

/**
 * The answers already given to mutations of this batch, by mutation id: from `mutations`,
 * and for the submits that made an application, rebuilt from that application. Such a
 * submit was answered `applied` with the state it created: version 1, received, its
 * reference and its normalized answers, which the shared rules derive again from the
 * resent mutation, so the rebuilt answer is the original byte for byte whatever has
 * happened to the application since.
 */
async function answeredBefore(
	tx: Transaction,
	deviceId: string,
	batch: readonly Mutation[],
	checked: ReadonlyMap<string, Checked>
): Promise<Map<string, MutationResult>> {
	const ids = uuidsFrom(batch.map((m) => m.id));
	// One statement for both homes of a record: a round trip is most of what it costs.
	const rows = await tx
		.select({
			mutationId: mutations.id,
			result: sql<MutationResult | null>`${mutations.result}`,
			created: sql<CreatedRow | null>`null::jsonb`
		})
		.from(mutations)
		.where(and(eq(mutations.deviceId, deviceId), sql`${mutations.id} = any(${ids})`))
		.unionAll(
			tx
				.select({
					mutationId: applications.mutationId,
					result: sql<MutationResult | null>`null::jsonb`,
					created: sql<CreatedRow | null>`jsonb_build_object(
						'id', ${applications.id}, 'serviceId', ${applications.serviceId},
						'serviceVersion', ${applications.serviceVersion},
						'reference', ${applications.reference}, 'answers', ${applications.answers},
						'createdAt', ${applications.createdAt})`
				})
				.from(applications)
				.where(
					and(eq(applications.deviceId, deviceId), sql`${applications.mutationId} = any(${ids})`)
				)
		)
		.prepare('push_known_mutations')
		.execute();

	const results = new Map<string, MutationResult>();
	for (const row of rows) {
		let result: MutationResult;
		if (row.created) {
			const check = checked.get(row.mutationId);
			const state = toApplicationState({
				...row.created,
				status: ApplicationStatus.received,
				version: 1,
				answers: check?.ok ? check.answers : row.created.answers,
				document: null,
				documentRevokedAt: null,
				documentRevocationReason: null,
				reason: null,
				reasonCode: null,
				requestedFields: null,
				requestMessage: null,
				updatedAt: new Date(row.created.createdAt)
			});
			result = { mutationId: row.mutationId, status: 'applied', application: state };
		} else result = row.result!;
		results.set(row.mutationId, canonical(result));
	}
	for (const m of batch) {
		const result = results.get(m.id);
		if (result) results.set(m.id, withoutEchoedAnswers(result, m));
	}
	return results;
}

/** What `answeredBefore` reads of an application to rebuild the answer to its submit. */
interface CreatedRow {
	id: string;
	serviceId: string;
	serviceVersion: number;
	reference: string;
	answers: Answers;
	/** As jsonb renders a timestamptz: ISO 8601 with the database's offset. */
	createdAt: string;
}

/**
 * The idempotency records of `records`, with their final answers, and the device's new
 * last seq, in one statement. No ON CONFLICT: under the device lock no id here can exist,
 * and if one ever did, failing the batch is right where silently skipping the record of an
 * applied mutation would not be.
 */
async function recordAnswers(
	tx: Transaction,
	sender: Sender,
	lastSeq: number,
	records: readonly Mutation[],
	results: ReadonlyMap<string, MutationResult>
): Promise<void> {
	if (records.length === 0) {
		await tx
			.update(devices)
			.set({ lastSeq })
			.where(eq(devices.id, sender.deviceId))
			.prepare('push_move_last_seq')
			.execute();
		return;
	}
	const moveLastSeq = tx.$with('move_last_seq', {})
		.as(sql`update ${devices} set ${sql.identifier(devices.lastSeq.name)} = ${lastSeq}
			where ${sql.identifier(devices.id.name)} = ${sender.deviceId}`);
	const rows = records.map((m) => ({
		id: m.id,
		seq: m.seq,
		application_id: m.applicationId,
		result: results.get(m.id)
	}));
	await tx
		.with(moveLastSeq)
		.insert(mutations)
		.select(
			selectForInsert(
				mutations,
				{
					deviceId: sql`${sender.deviceId}::text`,
					id: sql`r.id`,
					seq: sql`r.seq`,
					applicationId: sql`r.application_id`,
					result: sql`r.result`,
					createdAt: sql`now()`
				},
				rowsFrom(rows, 'r', 'id uuid, seq integer, application_id uuid, result jsonb')
			)
		)
		.prepare('push_record_mutations')
		.execute();
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

/**
 * The shared rules for a submission: a service version this server's catalogue knows
 * and still supports, and valid answers, before any database work. Exported for the
 * property test that the device and the server never disagree.
 */
export function checkSubmit(m: Submit, catalogue: Catalogue): Checked {
	if (!catalogue.find(m.serviceId)) {
		return { ok: false, result: rejected(m.id, RejectCode.unknownService) };
	}
	const service = catalogue.find(m.serviceId, m.serviceVersion);
	// A retired version stays known (its applications are still shown) but takes no more.
	if (!service?.supported) {
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
 * Applies consecutive submits: one statement inserts all their applications, each row its
 * own feed entry and the record of the submit that made it; the database is asked only
 * what it alone knows, whether an id is free. Returns the submits whose answers must be
 * recorded in `mutations`: every one that did not make its application.
 */
async function submitRun(
	tx: Transaction,
	sender: Sender,
	run: readonly Submit[],
	checked: ReadonlyMap<string, Checked>,
	results: Map<string, MutationResult>,
	deciding: Deciding
): Promise<Submit[]> {
	const valid: ValidSubmit[] = [];
	const unrecorded: Submit[] = [];
	for (const m of run) {
		const check = checked.get(m.id);
		if (!check) throw new Error(`submit ${m.id} was not checked`);
		if (check.ok) valid.push({ m, service: check.service, answers: check.answers });
		else {
			results.set(m.id, check.result);
			unrecorded.push(m);
		}
	}
	// A submission naming a photo this owner has not uploaded is refused, writing nothing
	// (files/attached-files.ts says why). Outside a batch with photos this costs no statement.
	const missing = await missingFiles(tx, sender.ownerId, valid);
	const attached = valid.filter((s, i) => {
		if (Object.keys(missing[i]!).length === 0) return true;
		results.set(s.m.id, rejected(s.m.id, RejectCode.invalidAnswers, missing[i]!));
		unrecorded.push(s.m);
		return false;
	});
	if (attached.length === 0) return unrecorded.sort((a, b) => a.seq - b.seq);

	// The first submit of each application id is the one that may create it; a later one
	// in the same run is a duplicate of it, as it would be one batch later.
	const creators = new Map<string, ValidSubmit>();
	for (const s of attached) {
		if (!creators.has(s.m.applicationId)) creators.set(s.m.applicationId, s);
	}

	// What a rule decides is written with the receipt: the row goes in as version 2,
	// approved, with its document; the submit is still answered "received, version 1"
	// (`receipt` below), the answer a resend rebuilds (answeredBefore), and the same sync's
	// pull brings the decision.
	const outcomes = ruleOutcomes([...creators.values()], deciding.open);
	const approvals = [...outcomes].filter(([, o]) => o.decision === 'approve').map(([s]) => s);
	const issued: Map<string, IssuedDocument> =
		approvals.length > 0 && deciding.key
			? await signDocuments(
					tx,
					deciding.key,
					approvals.map((s) => ({
						applicationId: s.m.applicationId,
						service: s.service,
						answers: s.answers
					}))
				)
			: new Map();
	const approved = new Set(approvals.map((s) => s.m.applicationId));

	const rows = await tx
		.insert(applications)
		.select(
			selectForInsert(
				applications,
				{
					id: sql`a.id`,
					ownerId: sql`${sender.ownerId}::text`,
					deviceId: sql`${sender.deviceId}::text`,
					mutationId: sql`a.mutation_id`,
					serviceId: sql`a.service_id`,
					serviceVersion: sql`a.service_version`,
					answers: sql`a.answers`,
					status: sql`a.status`,
					// Numbered in device order: rows are inserted in array order.
					reference: nextReference,
					version: sql`a.version`,
					reason: sql`null`,
					reasonCode: sql`null`,
					requestedFields: sql`null`,
					requestMessage: sql`null`,
					document: sql`a.document`,
					documentRevokedAt: sql`null`,
					documentRevocationReason: sql`null`,
					reviewReason: sql`a.review_reason`,
					// The region its answers name (null: the national queue), which decides whose
					// reviewers may decide it (accounts/policy.ts). A device files for its owner:
					// no officer.
					region: sql`a.region`,
					filedBy: sql`null`,
					assignedTo: sql`null`,
					createdAt: sql`now()`,
					updatedAt: sql`now()`,
					...feedMove
				},
				rowsFrom(
					[...creators.values()].map((s) => ({
						id: s.m.applicationId,
						mutation_id: s.m.id,
						service_id: s.service.id,
						service_version: s.service.version,
						answers: s.answers,
						region: regionOf(s.service, s.answers),
						status: approved.has(s.m.applicationId)
							? ApplicationStatus.approved
							: ApplicationStatus.received,
						version: approved.has(s.m.applicationId) ? 2 : 1,
						document: issued.get(s.m.applicationId)?.code ?? null,
						review_reason: reviewReasonOf(outcomes.get(s))
					})),
					'a',
					'id uuid, mutation_id uuid, service_id text, service_version integer, answers jsonb, ' +
						'region text, status text, version integer, document text, review_reason text'
				)
			)
		)
		// An id already in use (or being inserted by a transaction still running, which
		// this waits for) is skipped here and answered from the select below.
		.onConflictDoNothing({ target: applications.id })
		.returning(stateColumns)
		.prepare('push_insert_applications')
		.execute();
	const created = new Map(rows.map((row) => [row.id, row]));
	await appendHistory(
		tx,
		rows.flatMap((row): HistoryEntry[] => {
			const received: HistoryEntry = {
				applicationId: row.id,
				kind: HistoryKind.received,
				fromStatus: null,
				toStatus: ApplicationStatus.received,
				actor: sender.actor,
				device: sender.deviceId
			};
			// Decided by rule: no one acted, so no actor and no device.
			if (!approved.has(row.id)) return [received];
			return [
				received,
				{
					applicationId: row.id,
					kind: HistoryKind.decided,
					fromStatus: ApplicationStatus.received,
					toStatus: row.status
				}
			];
		})
	);
	await recordDocuments(
		tx,
		[...issued.values()].filter((d) => created.has(d.applicationId))
	);

	const taken = [...creators.keys()].filter((id) => !created.has(id));
	const existing = taken.length
		? await tx
				.select({ ...stateColumns, ownerId: applications.ownerId })
				.from(applications)
				.where(sql`${applications.id} = any(${uuidsFrom(taken)})`)
				.prepare('push_taken_applications')
				.execute()
		: [];
	const existingById = new Map(existing.map((row) => [row.id, row]));

	for (const { m } of attached) {
		const mine = created.get(m.applicationId);
		if (mine) {
			const creator = creators.get(m.applicationId)?.m === m;
			if (!creator) unrecorded.push(m);
			results.set(m.id, {
				mutationId: m.id,
				status: creator ? 'applied' : 'duplicate',
				application: toApplicationState(creator ? receipt(mine) : mine)
			});
			continue;
		}
		unrecorded.push(m);
		const row = existingById.get(m.applicationId);
		if (!row) throw new Error(`application ${m.applicationId} conflicted but cannot be read`);
		// The owner learns the current state; anyone else learns only that the id is
		// taken, never whose it is or what it holds.
		results.set(
			m.id,
			row.ownerId === sender.ownerId
				? { mutationId: m.id, status: 'duplicate', application: toApplicationState(row) }
				: rejected(m.id, RejectCode.applicationIdTaken)
		);
	}
	// In device order, as `mutations` records them.
	return unrecorded.sort((a, b) => a.seq - b.seq);
}

/**
 * What the submit that made `row` is answered: the application as it was received, version
 * 1, whatever a rule decided in the same transaction. A resend rebuilds exactly this
 * (answeredBefore); the decision reaches the device by the pull, as any decision does.
 */
function receipt(row: StateRow): StateRow {
	return {
		...row,
		status: ApplicationStatus.received,
		version: 1,
		document: null
	};
}
