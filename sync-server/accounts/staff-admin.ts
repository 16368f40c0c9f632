import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { StaffList } from '../../shared/accounts';
import type { Database } from '../db/open';
import { accounts, sessions, setPasswordLinks } from '../db/schema';
import { appendAudit, AuditAction } from './audit';
import type { Actor } from './policy';

/** Every staff account, as the administrator's page lists them: never a citizen. */
export async function listStaff(db: Database): Promise<StaffList['staff']> {
	const rows = await db
		.select({
			id: accounts.id,
			role: accounts.role,
			region: accounts.region,
			name: accounts.name,
			login: accounts.login,
			passwordSet: sql<boolean>`${accounts.passwordHash} is not null`,
			disabled: sql<boolean>`${accounts.disabledAt} is not null`,
			createdAt: accounts.createdAt
		})
		.from(accounts)
		.where(ne(accounts.role, 'citizen'))
		.orderBy(asc(accounts.name), asc(accounts.login));
	return rows.map((row) => ({
		...row,
		region: row.region ?? '',
		login: row.login ?? '',
		createdAt: row.createdAt.toISOString()
	}));
}

export type DisableOutcome = 'disabled' | 'not_found' | 'self';

/**
 * Disables a staff account for good, in one transaction: it signs in no more (sign-in
 * treats it as unknown), every session it has ends at once (its devices are told
 * `device_revoked`), and a set-password link not yet used works no more. Audited.
 */
export async function disableStaff(
	db: Database,
	actor: Actor,
	id: string
): Promise<DisableOutcome> {
	if (id === actor.accountId) return 'self';
	return db.transaction(async (tx) => {
		const [account] = await tx
			.update(accounts)
			.set({ disabledAt: sql`coalesce(${accounts.disabledAt}, now())` })
			.where(and(eq(accounts.id, id), ne(accounts.role, 'citizen')))
			.returning({ id: accounts.id });
		if (!account) return 'not_found';
		await tx
			.update(sessions)
			.set({ revokedAt: sql`now()`, endedBy: 'revoked' })
			.where(and(eq(sessions.accountId, id), isNull(sessions.revokedAt)));
		await tx
			.update(setPasswordLinks)
			.set({ usedAt: sql`now()` })
			.where(and(eq(setPasswordLinks.accountId, id), isNull(setPasswordLinks.usedAt)));
		await appendAudit(tx, {
			action: AuditAction.staffDisabled,
			actor: actor.accountId,
			device: actor.deviceId,
			subject: id
		});
		return 'disabled';
	});
}
