import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database, Transaction } from './open';

/**
 * The one order in which transactions that move devices between owners take their locks.
 * Two transactions that take locks in the same order can wait for each other but never
 * deadlock; every path below follows it:
 *
 *   1. the sign-in lock of an IIN (citizen sign-in: accounts/citizen.ts);
 *   2. the link locks of owners, all at once, in key order (lockOwners);
 *   3. device rows, `for update`, in id order;
 *   3b. the registration locks of applicants, all at once, in key order (push only:
 *      lockRegistrations, for the automatic rule that reads a person's registrations);
 *   4. the audit lock, last (accounts/audit.ts).
 *
 * Link accepts (devices/link.ts), sign-ins (accounts/citizen.ts) and revocations
 * (accounts/account-devices.ts) take 2 before 3. A push locks only its own device row (3)
 * and the audit lock, so it waits behind them and never the other way round. Until a
 * transaction holds an owner's lock, what it read of that owner may change: it reads again
 * after locking and, when a device moved meanwhile, throws OwnersMoved to start over.
 */

/**
 * The advisory-lock spaces (the two-key form, so they never meet the single-key locks
 * of migrations and the audit log); the second key is a hash of the owner id or IIN.
 */
const OWNER_LOCK_SPACE = 1_684_627_011;
const IIN_LOCK_SPACE = 1_684_627_012;
const REGISTRATION_LOCK_SPACE = 1_684_627_013;

/** 32 bits of the text's SHA-256, as PostgreSQL's signed int4. */
function lockKey(text: string): number {
	return createHash('sha256').update(text).digest().readInt32BE(0);
}

/** Takes the sign-in lock of `iin` (step 1): first sign-ins for one person take turns. */
export async function lockIin(tx: Transaction, iin: string): Promise<void> {
	await tx.execute(sql`select pg_advisory_xact_lock(${IIN_LOCK_SPACE}, ${lockKey(iin)})`);
}

/**
 * Takes the link locks of `ownerIds` (step 2), in key order; null and repeated ids are
 * skipped. Taken twice in one transaction, a lock is simply held.
 */
export async function lockOwners(
	tx: Transaction,
	ownerIds: readonly (string | null | undefined)[]
): Promise<void> {
	const keys = new Set<number>();
	for (const id of ownerIds) if (id) keys.add(lockKey(id));
	for (const key of [...keys].sort((a, b) => a - b)) {
		await tx.execute(sql`select pg_advisory_xact_lock(${OWNER_LOCK_SPACE}, ${key})`);
	}
}

/**
 * Takes the registration locks of `holders` (step 3b: a service id and an IIN each), in key
 * order, in one statement: a person's registrations arriving on two servers at once are
 * decided one after the other, the second seeing the first.
 */
export async function lockRegistrations(
	tx: Transaction,
	holders: readonly string[]
): Promise<void> {
	const keys = [...new Set(holders.map(lockKey))].sort((a, b) => a - b);
	if (keys.length === 0) return;
	await tx.execute(
		sql`select pg_advisory_xact_lock(${REGISTRATION_LOCK_SPACE}, k)
			from (select unnest(${`{${keys.join(',')}}`}::int[]) as k order by k) keys`
	);
}

/** Thrown inside a transaction to roll it back and start over: an owner it read moved. */
export class OwnersMoved extends Error {
	name = 'OwnersMoved';
	constructor() {
		super('a device moved to another owner while this transaction waited for its locks');
	}
}

/**
 * How many times a transaction starts over when an owner it read moved before it could
 * lock it. Each start means another link or sign-in of the same devices committed
 * meanwhile, so this is only reached by someone doing that in a loop.
 */
export const OWNER_ATTEMPTS = 5;

/**
 * Runs `work` in a transaction, again from the start each time it throws OwnersMoved, up
 * to `attempts` times; the last OwnersMoved is thrown (the server answers it 503, retry).
 */
export async function inOwnerTransaction<T>(
	db: Database,
	work: (tx: Transaction) => Promise<T>,
	attempts = OWNER_ATTEMPTS
): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await db.transaction(work);
		} catch (error) {
			if (!(error instanceof OwnersMoved) || attempt >= attempts) throw error;
		}
	}
}
