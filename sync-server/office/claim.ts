import { and, eq, sql } from 'drizzle-orm';
import type { ApplicationStatus } from '../../shared/status';
import { ApplicationStatus as Status, isDecided, mayMove } from '../../shared/status';
import type { Actor } from '../accounts/policy';
import type { Database } from '../db/open';
import { accounts, applications, feedMove, HistoryKind } from '../db/schema';
import { appendHistory } from '../sync/history';

export type ClaimOutcome =
	| { status: 'claimed'; assignee: { id: string; name: string | null }; applicationStatus: string }
	/** Someone else works it: they hand it over, it is not taken from them. */
	| { status: 'taken'; assignee: { id: string; name: string | null } }
	/** Decided: there is nothing left to work on. */
	| { status: 'closed' }
	| { status: 'not_found' }
	/** `to` is not a reviewer of the caller's region. */
	| { status: 'invalid' };

/**
 * A reviewer takes an application to work on (`to` themselves), or hands one they hold,
 * or nobody holds, to another reviewer of their region. Under the row lock: two reviewers
 * claiming at once are served one after the other, and the second finds it taken. Taking
 * a received application puts it in review, a change its owner's devices pull ("under
 * review"); who works it is the office's business and changes nothing they see.
 */
export async function claim(
	db: Database,
	applicationId: string,
	actor: Actor,
	to: string = actor.accountId
): Promise<ClaimOutcome> {
	return db.transaction(async (tx) => {
		const [assignee] = await tx
			.select({ id: accounts.id, name: accounts.name })
			.from(accounts)
			.where(
				and(
					eq(accounts.id, to),
					eq(accounts.role, 'reviewer'),
					eq(accounts.region, actor.region ?? '')
				)
			);
		if (!assignee) return { status: 'invalid' };
		const [row] = await tx
			.select({ status: applications.status, assignedTo: applications.assignedTo })
			.from(applications)
			.where(eq(applications.id, applicationId))
			.for('update');
		if (!row) return { status: 'not_found' };
		if (isDecided(row.status)) return { status: 'closed' };
		if (row.assignedTo !== null && row.assignedTo !== actor.accountId) {
			const [holder] = await tx
				.select({ id: accounts.id, name: accounts.name })
				.from(accounts)
				.where(eq(accounts.id, row.assignedTo));
			return { status: 'taken', assignee: holder ?? { id: row.assignedTo, name: null } };
		}
		const moves = mayMove(row.status, Status.inReview, 'reviewer');
		const toStatus: ApplicationStatus = moves ? Status.inReview : row.status;
		await tx
			.update(applications)
			.set({
				assignedTo: assignee.id,
				...(moves
					? {
							status: toStatus,
							version: sql`${applications.version} + 1`,
							updatedAt: sql`now()`,
							...feedMove
						}
					: {})
			})
			.where(eq(applications.id, applicationId));
		await appendHistory(tx, [
			{
				applicationId,
				kind: HistoryKind.claimed,
				fromStatus: row.status,
				toStatus,
				actor: actor.accountId,
				device: actor.deviceId
			}
		]);
		return { status: 'claimed', assignee, applicationStatus: toStatus };
	});
}
