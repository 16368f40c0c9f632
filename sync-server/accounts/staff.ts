import { randomBytes } from 'node:crypto';
import { and, eq, isNull, ne, or, sql } from 'drizzle-orm';
import type { Session, StaffRole } from '../../shared/accounts';
import type { Database } from '../db/open';
import { accounts, setPasswordLinks } from '../db/schema';
import { appendAudit, AuditAction } from './audit';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import { openSession } from './sessions';
import { hashOf, newToken } from './tokens';
import { matchTotp, newTotpSecret, otpauthUri } from './totp';

/** How long a set-password link works: a working day and a night. */
export const SET_PASSWORD_TTL_MS = 24 * 60 * 60_000;
/** Wrong sign-ins that cost nothing; from the next one on, a delay that doubles. */
export const FREE_FAILURES = 3;
const FIRST_DELAY_SECONDS = 15;
const MAX_DELAY_SECONDS = 60 * 60;

/** The delay, in seconds, that the `failures`th wrong sign-in in a row earns. */
export function lockoutSeconds(failures: number): number {
	if (failures < FREE_FAILURES) return 0;
	return Math.min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES));
}

export interface NewStaff {
	role: StaffRole;
	region: string;
	name: string;
	/** How they sign in; made from the role when not given. */
	login?: string;
}

/**
 * A staff account with no password yet, and the one-time link (its token) that sets one.
 * Made by an administrator (admin-cli.ts); audited with no actor, as the CLI has none.
 */
export async function createStaff(
	db: Database,
	staff: NewStaff
): Promise<{ accountId: string; login: string; token: string; expiresAt: Date }> {
	const login = staff.login ?? `${staff.role}-${randomBytes(3).toString('hex')}`;
	const token = newToken('ds_');
	return db.transaction(async (tx) => {
		const [account] = await tx
			.insert(accounts)
			.values({
				role: staff.role,
				region: staff.region,
				name: staff.name,
				login,
				// Staff own nothing; the id only keeps owner_id unique and non-null.
				ownerId: `staff:${randomBytes(16).toString('hex')}`
			})
			.returning({ id: accounts.id });
		if (!account) throw new Error('the account was not created');
		const [link] = await tx
			.insert(setPasswordLinks)
			.values({
				tokenHash: hashOf(token),
				accountId: account.id,
				expiresAt: sql`now() + ${SET_PASSWORD_TTL_MS} * interval '1 millisecond'`
			})
			.returning({ expiresAt: setPasswordLinks.expiresAt });
		if (!link) throw new Error('the link was not stored');
		await appendAudit(tx, { action: AuditAction.staffCreated, subject: account.id });
		return { accountId: account.id, login, token, expiresAt: link.expiresAt };
	});
}

const liveLink = (token: string) =>
	and(
		eq(setPasswordLinks.tokenHash, hashOf(token)),
		isNull(setPasswordLinks.usedAt),
		sql`${setPasswordLinks.expiresAt} > now()`
	);

/**
 * The set-password link opened: a new TOTP secret to scan, kept with the link until a
 * first code from it proves it was. Opening the link again shows a new secret.
 */
export async function enrollStaff(db: Database, token: string) {
	const secret = newTotpSecret();
	const [link] = await db
		.update(setPasswordLinks)
		.set({ pendingTotpSecret: secret })
		.where(liveLink(token))
		.returning({ accountId: setPasswordLinks.accountId });
	if (!link) return undefined;
	const [account] = await db
		.select({ name: accounts.name, login: accounts.login })
		.from(accounts)
		.where(eq(accounts.id, link.accountId));
	if (!account?.login) throw new Error(`staff account ${link.accountId} has no login`);
	return {
		name: account.name ?? '',
		login: account.login,
		totpSecret: secret,
		otpauthUri: otpauthUri(secret, account.login)
	};
}

export type SetPasswordOutcome = 'set' | 'invalid_link' | 'wrong_totp';

/** Sets the password and the TOTP secret in one transaction; the link then works no more. */
export async function setStaffPassword(
	db: Database,
	deviceId: string,
	{ token, password, totp }: { token: string; password: string; totp: string },
	now = Date.now()
): Promise<SetPasswordOutcome> {
	const passwordHash = await hashPassword(password);
	return db.transaction(async (tx) => {
		const [link] = await tx
			.select({ accountId: setPasswordLinks.accountId, secret: setPasswordLinks.pendingTotpSecret })
			.from(setPasswordLinks)
			.where(liveLink(token))
			.for('update');
		if (!link?.secret) return 'invalid_link';
		const step = matchTotp(link.secret, totp, now, null);
		if (step === null) return 'wrong_totp';
		await tx
			.update(setPasswordLinks)
			.set({ usedAt: sql`now()` })
			.where(eq(setPasswordLinks.tokenHash, hashOf(token)));
		await tx
			.update(accounts)
			.set({
				passwordHash,
				totpSecret: link.secret,
				totpLastStep: step,
				failedSignIns: 0,
				lockedUntil: null
			})
			.where(eq(accounts.id, link.accountId));
		await appendAudit(tx, {
			action: AuditAction.staffPasswordSet,
			actor: link.accountId,
			device: deviceId,
			subject: link.accountId
		});
		return 'set';
	});
}

export type SignInOutcome =
	| { status: 'signed_in'; session: Session }
	| { status: 'failed' }
	| { status: 'locked'; retryAfter: number };

/**
 * A staff sign-in: password and TOTP code. The failure is counted before the password is
 * checked, in one statement that also refuses a locked account, so guesses sent all at
 * once cannot slip past the lockout while Argon2 runs; a right answer then clears it.
 * An unknown login costs the same Argon2 time as a known one and gets the same answer.
 */
export async function signInStaff(
	db: Database,
	deviceId: string,
	{ login, password, totp }: { login: string; password: string; totp: string },
	now = Date.now()
): Promise<SignInOutcome> {
	const failures = sql`${accounts.failedSignIns} + 1`;
	const delay = sql`least(${MAX_DELAY_SECONDS}, ${FIRST_DELAY_SECONDS} * power(2, ${failures} - ${FREE_FAILURES}))`;
	const [claimed] = await db
		.update(accounts)
		.set({
			failedSignIns: failures,
			lockedUntil: sql`case when ${failures} >= ${FREE_FAILURES}
				then now() + ${delay} * interval '1 second' end`
		})
		.where(
			and(
				eq(accounts.login, login),
				ne(accounts.role, 'citizen'),
				or(isNull(accounts.lockedUntil), sql`${accounts.lockedUntil} <= now()`)
			)
		)
		.returning({
			id: accounts.id,
			passwordHash: accounts.passwordHash,
			totpSecret: accounts.totpSecret,
			totpLastStep: accounts.totpLastStep
		});

	if (!claimed) {
		const [locked] = await db
			.select({
				id: accounts.id,
				retryAfter: sql<string>`ceil(extract(epoch from ${accounts.lockedUntil} - now()))::text`
			})
			.from(accounts)
			.where(and(eq(accounts.login, login), ne(accounts.role, 'citizen')));
		// Each audit append in a transaction of its own: the audit lock lasts until its
		// commit, so appends take turns (audit.ts).
		if (locked) {
			await db.transaction((tx) =>
				appendAudit(tx, {
					action: AuditAction.staffSignInFailed,
					device: deviceId,
					subject: locked.id
				})
			);
			return { status: 'locked', retryAfter: Math.max(1, Number(locked.retryAfter)) };
		}
		await verifyPassword(password, await decoyHash());
		await db.transaction((tx) =>
			appendAudit(tx, { action: AuditAction.staffSignInFailed, device: deviceId })
		);
		return { status: 'failed' };
	}

	const passwordOk =
		claimed.passwordHash !== null && (await verifyPassword(password, claimed.passwordHash));
	const step =
		passwordOk && claimed.totpSecret !== null
			? matchTotp(claimed.totpSecret, totp, now, claimed.totpLastStep)
			: null;
	return db.transaction(async (tx): Promise<SignInOutcome> => {
		const [cleared] =
			step === null
				? []
				: await tx
						.update(accounts)
						.set({ failedSignIns: 0, lockedUntil: null, totpLastStep: step })
						// A code accepted meanwhile by another sign-in is not accepted twice.
						.where(
							and(
								eq(accounts.id, claimed.id),
								or(isNull(accounts.totpLastStep), sql`${accounts.totpLastStep} < ${step}`)
							)
						)
						.returning({ id: accounts.id });
		if (!cleared) {
			await appendAudit(tx, {
				action: AuditAction.staffSignInFailed,
				device: deviceId,
				subject: claimed.id
			});
			return { status: 'failed' };
		}
		const session = await openSession(tx, claimed.id, deviceId);
		await appendAudit(tx, {
			action: AuditAction.staffSignedIn,
			actor: claimed.id,
			device: deviceId,
			subject: claimed.id
		});
		return { status: 'signed_in', session };
	});
}
