/**
 * Revoking an issued document: the office's one action on a document once issued. The
 * application stays approved; its document no longer stands. Recorded on the application
 * (the revocation list reads it there, documents/revocation-list.ts), moved to the end of
 * its owner's feed so their phone shows it with its next sync, with its history row and
 * audit entry, in one transaction. Never undone: the list's numbering relies on it.
 */
import { eq, sql } from 'drizzle-orm';
import * as v from 'valibot';
import type { ApplicationState } from '../../shared/protocol';
import { stateColumns, toApplicationState } from '../sync/application-state';
import { appendHistory } from '../sync/history';
import type { Database } from '../db/open';
import { applications, feedMove, HistoryKind } from '../db/schema';
import { issuesOf } from '../http/errors';
import { appendAudit, AuditAction } from '../accounts/audit';
import { BaseVersion, reviewerText } from './review';

/**
 * Why, in words the holder reads on their phone, and the version the reviewer looked at:
 * a revocation decided on a page that no longer shows the application is refused.
 */
export const Revocation = v.strictObject({
	reason: reviewerText('say why the document no longer stands'),
	baseVersion: BaseVersion
});

export type RevocationOutcome =
	| { status: 'applied'; application: ApplicationState }
	/** The application changed since `baseVersion`; nothing was written. */
	| { status: 'conflict'; application: ApplicationState }
	/** Revoked already: nothing was written. */
	| { status: 'revoked_already'; application: ApplicationState }
	/** No document was issued for it (not approved, or a service that issues none). */
	| { status: 'no_document'; application: ApplicationState }
	| { status: 'not_found' }
	| { status: 'invalid'; issues: Record<string, string> };

export async function revokeDocument(
	db: Database,
	applicationId: string,
	input: unknown,
	/** Who revoked, for the audit log and the history. */
	by: { actor?: string; device?: string } = {}
): Promise<RevocationOutcome> {
	const parsed = v.safeParse(Revocation, input);
	if (!parsed.success) return { status: 'invalid', issues: issuesOf(parsed.issues) };
	const { reason, baseVersion } = parsed.output;
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select(stateColumns)
			.from(applications)
			.where(eq(applications.id, applicationId))
			.for('update');
		if (!row) return { status: 'not_found' };
		const application = toApplicationState(row);
		if (row.document === null) return { status: 'no_document', application };
		if (row.documentRevokedAt !== null) return { status: 'revoked_already', application };
		if (row.version !== baseVersion) return { status: 'conflict', application };
		const [updated] = await tx
			.update(applications)
			.set({
				documentRevokedAt: sql`now()`,
				documentRevocationReason: reason,
				version: sql`${applications.version} + 1`,
				updatedAt: sql`now()`,
				...feedMove
			})
			.where(eq(applications.id, applicationId))
			.returning(stateColumns);
		if (!updated) throw new Error(`application ${applicationId} was locked but cannot be updated`);
		await appendAudit(tx, { action: AuditAction.documentRevoked, subject: applicationId, ...by });
		await appendHistory(tx, [
			{
				applicationId,
				kind: HistoryKind.revoked,
				fromStatus: row.status,
				toStatus: updated.status,
				actor: by.actor,
				device: by.device
			}
		]);
		return { status: 'applied', application: toApplicationState(updated) };
	});
}
