import { and, eq, sql } from 'drizzle-orm';
import * as v from 'valibot';
import { RejectCode, type FieldErrors } from '../shared/errors';
import { MutationResult, type Mutation } from '../shared/protocol';
import { formatReference } from '../shared/reference';
import { findService } from '../shared/services/catalog';
import { validateAnswers } from '../shared/services/validate';
import { ApplicationStatus } from '../shared/status';
import { stateColumns, toApplicationState } from './application-state';
import type { Database } from './db/open';
import { applications, changes, mutations, nextReferenceNumber } from './db/schema';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
type Submit = Extract<Mutation, { type: 'application.submit' }>;

/**
 * Applies one mutation from `deviceId` in its own transaction and answers its result.
 * Atomic per mutation: the idempotency record, the effect and the change-feed row commit
 * together or not at all, so an earlier mutation of a batch stays applied when a later one
 * fails, and a retry of the batch replays what committed and applies what did not.
 */
export async function applyMutation(
	db: Database,
	deviceId: string,
	mutation: Mutation
): Promise<MutationResult> {
	return db.transaction(async (tx) => {
		// Claim the mutation id first. A concurrent request carrying the same mutation
		// blocks on this key until we commit, then conflicts and reads our stored answer.
		// The placeholder result is never seen: the row only commits with the real one.
		const claimed = await tx
			.insert(mutations)
			.values({
				deviceId,
				id: mutation.id,
				seq: mutation.seq,
				applicationId: mutation.applicationId,
				result: sql`'{}'::jsonb`
			})
			.onConflictDoNothing()
			.returning({ id: mutations.id });
		const key = and(eq(mutations.deviceId, deviceId), eq(mutations.id, mutation.id));

		if (claimed.length === 0) {
			const [stored] = await tx.select({ result: mutations.result }).from(mutations).where(key);
			if (!stored) throw new Error(`mutation ${mutation.id} conflicted but cannot be read`);
			// Seen before: answer exactly what was answered then, and write nothing.
			return canonical(stored.result);
		}

		const result = canonical(await submit(tx, deviceId, mutation));
		await tx.update(mutations).set({ result }).where(key);
		return result;
	});
}

/**
 * jsonb keeps its own key order, so a result read back would serialize differently from
 * the one first sent. Parsing both through the protocol schema gives one key order, which
 * makes a replayed push answer byte-for-byte what the first one did.
 */
function canonical(result: unknown): MutationResult {
	return v.parse(MutationResult, result);
}

async function submit(tx: Transaction, deviceId: string, m: Submit): Promise<MutationResult> {
	const rejected = (code: RejectCode, fieldErrors?: FieldErrors) =>
		({ mutationId: m.id, status: 'rejected', code, ...(fieldErrors && { fieldErrors }) }) as const;

	if (!findService(m.serviceId)) return rejected(RejectCode.unknownService);
	const service = findService(m.serviceId, m.serviceVersion);
	if (!service) return rejected(RejectCode.unsupportedServiceVersion);
	// The device validated too, but the server trusts only its own run of the same rules.
	const validation = validateAnswers(service, m.answers);
	if (!validation.ok) return rejected(RejectCode.invalidAnswers, validation.fieldErrors);

	const existing = await findExisting(tx, deviceId, m);
	if (existing) return existing;

	const [next] = await tx
		.select({
			number: nextReferenceNumber,
			// The database's clock, the same one that stamps created_at.
			year: sql<number>`extract(year from now() at time zone 'UTC')::int`
		})
		.from(sql`(values (1)) as one`);
	if (!next) throw new Error('nextval returned no row');

	const [inserted] = await tx
		.insert(applications)
		.values({
			id: m.applicationId,
			deviceId,
			serviceId: service.id,
			serviceVersion: service.version,
			answers: validation.answers,
			status: ApplicationStatus.received,
			reference: formatReference(next.year, Number(next.number)),
			version: 1
		})
		// Another transaction may insert the same id between our look and this insert; it
		// blocks here until that one ends, and then we answer as if we had seen its row.
		.onConflictDoNothing({ target: applications.id })
		.returning(stateColumns);
	if (!inserted) {
		const raced = await findExisting(tx, deviceId, m);
		if (!raced) throw new Error(`application ${m.applicationId} conflicted but cannot be read`);
		return raced;
	}

	await tx.insert(changes).values({ applicationId: inserted.id, deviceId });
	return { mutationId: m.id, status: 'applied', application: toApplicationState(inserted) };
}

/**
 * The answer when the application id is already in use: the owner learns its current
 * state; anyone else learns only that the id is taken, never whose it is or what it holds.
 */
async function findExisting(
	tx: Transaction,
	deviceId: string,
	m: Submit
): Promise<MutationResult | undefined> {
	const [row] = await tx
		.select({ ...stateColumns, deviceId: applications.deviceId })
		.from(applications)
		.where(eq(applications.id, m.applicationId));
	if (!row) return undefined;
	if (row.deviceId !== deviceId) {
		return { mutationId: m.id, status: 'rejected', code: RejectCode.applicationIdTaken };
	}
	return { mutationId: m.id, status: 'duplicate', application: toApplicationState(row) };
}
