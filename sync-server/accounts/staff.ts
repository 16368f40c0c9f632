import { randomBytes } from 'node:crypto';
import { and, eq, isNull, ne, or, sql } from 'drizzle-orm';
import { STAFF_REGIONS, type Session, type StaffRole } from '../../shared/accounts';
import type { Database } from '../db/open';
import { accounts, setPasswordLinks } from '../db/schema';
import { appendAudit, AuditAction } from './audit';
import type { Passwords } from './passwords';
import { DEFAULT_SESSION_LIFETIMES, openSession, type SessionLifetimes } from './sessions';
import { hashOf, newToken } from './tokens';
import { matchTotp, newTotpSecret, otpauthUri } from './totp';

/** How long a set-password link works: a working day and a night. */
export const SET_PASSWORD_TTL_MS = 24 * 60 * 60_000;

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
	staff: NewStaff,
	/** The administrator who made it on the administrator's page; none from the CLI. */
	by: { actor?: string; device?: string } = {}
): Promise<{ accountId: string; login: string; token: string; expiresAt: Date }> {
	// A region no application has would make a reviewer who can decide nothing.
	if (!STAFF_REGIONS.includes(staff.region)) {
		throw new Error(`${staff.region} is not a region: one of ${STAFF_REGIONS.join(', ')}`);
	}
	const login = staff.login ?? `${staff.role}-${randomBytes(3).toString('hex')}`;
	const token = newToken('ds_');
	// The login asked for is someone's already: said plainly, before the unique index would.
	const [taken] = await db
		.select({ id: accounts.id })
		.from(accounts)
		.where(eq(accounts.login, login));
	if (taken) throw new LoginTaken(login);
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
		await appendAudit(tx, { action: AuditAction.staffCreated, subject: account.id, ...by });
		return { accountId: account.id, login, token, expiresAt: link.expiresAt };
	});
}

/** A login that another account has: staff are told to choose another. */
export class LoginTaken extends Error {
	constructor(login: string) {
		super(`the login ${login} is taken`);
		this.name = 'LoginTaken';
	}
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

/**
 * Sets the password and the TOTP secret in one transaction; the link then works no more.
 * The link and the first code are checked before Argon2 runs, so a request with a link
 * that does not work costs no hashing; the link is locked and checked again afterwards,
 * since another request may have used it meanwhile.
 */
export async function setStaffPassword(
	db: Database,
	passwords: Passwords,
	deviceId: string,
	{ token, password, totp }: { token: string; password: string; totp: string },
	now = Date.now()
): Promise<SetPasswordOutcome> {
	const [pending] = await db
		.select({ secret: setPasswordLinks.pendingTotpSecret })
		.from(setPasswordLinks)
		.where(liveLink(token));
	if (!pending?.secret) return 'invalid_link';
	const step = matchTotp(pending.secret, totp, now, null);
	if (step === null) return 'wrong_totp';
	const passwordHash = await passwords.hash(password);
	return db.transaction(async (tx) => {
		const [link] = await tx
			.select({ accountId: setPasswordLinks.accountId, secret: setPasswordLinks.pendingTotpSecret })
			.from(setPasswordLinks)
			.where(liveLink(token))
			.for('update');
		// Used meanwhile, or opened again (a new secret): the code was for another secret.
		if (!link?.secret || link.secret !== pending.secret) return 'invalid_link';
		await tx
			.update(setPasswordLinks)
			.set({ usedAt: sql`now()` })
			.where(eq(setPasswordLinks.tokenHash, hashOf(token)));
		await tx
			.update(accounts)
			.set({ passwordHash, totpSecret: link.secret, totpLastStep: step })
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

export type SignInOutcome = { status: 'signed_in'; session: Session } | { status: 'failed' };

/**
 * A staff sign-in: password and TOTP code. Guessing is slowed by the route's limits (per
 * login and address, and per address), counted before this runs, so guesses sent all at
 * once are counted before Argon2 does anything; nothing here locks the account, so nobody
 * can lock the real person out from elsewhere. An unknown login costs the same Argon2 time
 * as a known one and gets the same answer.
 */
export async function signInStaff(
	db: Database,
	passwords: Passwords,
	deviceId: string,
	{ login, password, totp }: { login: string; password: string; totp: string },
	lifetimes: SessionLifetimes = DEFAULT_SESSION_LIFETIMES,
	now = Date.now()
): Promise<SignInOutcome> {
	const [account] = await db
		.select({
			id: accounts.id,
			passwordHash: accounts.passwordHash,
			totpSecret: accounts.totpSecret,
			totpLastStep: accounts.totpLastStep
		})
		.from(accounts)
		.where(
			// A disabled account is as good as unknown: the same answer, the same Argon2 time.
			and(eq(accounts.login, login), ne(accounts.role, 'citizen'), isNull(accounts.disabledAt))
		);

	if (!account) {
		await passwords.verify(password, await passwords.decoy());
		// In a transaction of its own: the audit lock lasts until its commit (audit.ts).
		await db.transaction((tx) =>
			appendAudit(tx, { action: AuditAction.staffSignInFailed, device: deviceId })
		);
		return { status: 'failed' };
	}

	const passwordOk =
		account.passwordHash !== null && (await passwords.verify(password, account.passwordHash));
	const step =
		passwordOk && account.totpSecret !== null
			? matchTotp(account.totpSecret, totp, now, account.totpLastStep)
			: null;
	return db.transaction(async (tx): Promise<SignInOutcome> => {
		const [cleared] =
			step === null
				? []
				: await tx
						.update(accounts)
						.set({ totpLastStep: step })
						// A code accepted meanwhile by another sign-in is not accepted twice.
						.where(
							and(
								eq(accounts.id, account.id),
								or(isNull(accounts.totpLastStep), sql`${accounts.totpLastStep} < ${step}`)
							)
						)
						.returning({ id: accounts.id });
		if (!cleared) {
			await appendAudit(tx, {
				action: AuditAction.staffSignInFailed,
				device: deviceId,
				subject: account.id
			});
			return { status: 'failed' };
		}
		const session = await openSession(tx, account.id, deviceId, lifetimes);
		await appendAudit(tx, {
			action: AuditAction.staffSignedIn,
			actor: account.id,
			device: deviceId,
			subject: account.id
		});
		return { status: 'signed_in', session };
	});
}
