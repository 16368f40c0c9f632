import { createHash } from 'node:crypto';
import { asc, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../db/open';
import { auditLog } from '../db/schema';

/** What happened, as the audit log names it. One list, so a typo cannot invent an action. */
export const AuditAction = {
	codeSent: 'citizen.code_sent',
	codeRefused: 'citizen.code_refused',
	citizenSignedIn: 'citizen.signed_in',
	citizenSignInFailed: 'citizen.sign_in_failed',
	deviceBound: 'device.bound',
	deviceRevoked: 'device.revoked',
	staffCreated: 'staff.created',
	staffPasswordSet: 'staff.password_set',
	staffDisabled: 'staff.disabled',
	staffSignedIn: 'staff.signed_in',
	staffSignInFailed: 'staff.sign_in_failed',
	sessionRefreshed: 'session.refreshed',
	sessionRevoked: 'session.revoked',
	decisionMade: 'application.decided',
	documentRevoked: 'document.revoked'
} as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

export interface AuditEntry {
	action: AuditAction;
	/** The account that acted; null for a device not signed in, the CLI, the old review token. */
	actor?: string | null;
	device?: string | null;
	/** An id (account, application, session), never an IIN, a phone or a code. */
	subject?: string | null;
}

/** The first row's `prev_hash`. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Any fixed number: the transaction lock that makes appends take turns, so each row's
 * `prev_hash` is the row before it even with many servers. It is held from the append to
 * the commit of the transaction that appends, which is why appends come last.
 */
const AUDIT_LOCK = 4_240_917_009;

/**
 * The row's hash: SHA-256 over the previous hash and the row's fields as a JSON array, in
 * a fixed order. JSON makes the boundaries between fields unambiguous; `at` is kept in
 * milliseconds, so its ISO form is exact both here and when read back.
 */
export function auditHash(
	prevHash: string,
	row: {
		seq: number;
		at: Date;
		actor: string | null;
		device: string | null;
		action: string;
		subject: string | null;
	}
): string {
	const canonical = JSON.stringify([
		row.seq,
		row.at.toISOString(),
		row.actor,
		row.device,
		row.action,
		row.subject
	]);
	return createHash('sha256').update(`${prevHash}\n${canonical}`).digest('hex');
}

/**
 * Appends one entry to the audit log inside `tx`, the transaction of the change it
 * records: both commit, or neither. Call it last in the transaction (see AUDIT_LOCK).
 * Only a transaction will do: outside one the lock would end with its own statement, and
 * two appends would read the same head and collide on the next seq.
 */
export async function appendAudit(tx: Transaction, entry: AuditEntry): Promise<void> {
	await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`);
	// A statement after the lock: its snapshot sees the row the previous holder committed.
	const [head] = await tx
		.select({
			seq: sql<string | null>`(select max(${auditLog.seq}) from ${auditLog})::text`,
			hash: sql<
				string | null
			>`(select ${auditLog.hash} from ${auditLog} order by ${auditLog.seq} desc limit 1)`,
			// The database's clock, so every server stamps rows alike; milliseconds, as stored.
			at: sql<string>`(extract(epoch from date_trunc('milliseconds', clock_timestamp())) * 1000)::bigint::text`
		})
		.from(sql`(values (1)) as one`);
	if (!head) throw new Error('the audit head was not read');
	const row = {
		seq: Number(head.seq ?? 0) + 1,
		at: new Date(Number(head.at)),
		actor: entry.actor ?? null,
		device: entry.device ?? null,
		action: entry.action,
		subject: entry.subject ?? null
	};
	const prevHash = head.hash ?? GENESIS_HASH;
	await tx.insert(auditLog).values({ ...row, prevHash, hash: auditHash(prevHash, row) });
}

export type AuditVerdict =
	| { ok: true; rows: number }
	/** The first row that does not follow from the one before it, and why. */
	| { ok: false; rows: number; seq: number; problem: 'hash' | 'prev_hash' | 'gap' };

// Rows read per round trip while verifying: a long log is read in pages, never all at once.
const VERIFY_PAGE = 5000;

/** Walks the whole chain: every hash recomputed, every link and every seq checked. */
export async function verifyAudit(db: Database): Promise<AuditVerdict> {
	let prevHash = GENESIS_HASH;
	let expectedSeq = 1;
	let rows = 0;
	for (;;) {
		const page = await db
			.select()
			.from(auditLog)
			.where(sql`${auditLog.seq} >= ${expectedSeq}`)
			.orderBy(asc(auditLog.seq))
			.limit(VERIFY_PAGE);
		for (const row of page) {
			if (row.seq !== expectedSeq) return { ok: false, rows, seq: expectedSeq, problem: 'gap' };
			if (row.prevHash !== prevHash) return { ok: false, rows, seq: row.seq, problem: 'prev_hash' };
			if (row.hash !== auditHash(prevHash, row)) {
				return { ok: false, rows, seq: row.seq, problem: 'hash' };
			}
			prevHash = row.hash;
			expectedSeq++;
			rows++;
		}
		if (page.length < VERIFY_PAGE) return { ok: true, rows };
	}
}
