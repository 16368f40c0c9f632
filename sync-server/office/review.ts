import { eq, sql } from 'drizzle-orm';
import * as v from 'valibot';
import type { ApplicationState } from '../../shared/protocol';
import { ApplicationStatus, isDecided } from '../../shared/status';
import { hasForbiddenCharacter } from '../../shared/text';
import { stateColumns, toApplicationState } from '../sync/application-state';
import type { Database } from '../db/open';
import { applications, feedMove } from '../db/schema';
import { issuesOf } from '../http/errors';
import { appendAudit, AuditAction } from '../accounts/audit';

const BaseVersion = v.pipe(v.number(), v.integer(), v.minValue(1));

/** The most characters of a reviewer's reason: a paragraph, read on a phone. */
export const MAX_REASON_LENGTH = 1000;

// U+0000 and lone surrogates (in `u` mode a lone surrogate is a code point of category
// Cs; a proper pair is not): JSON carries them, PostgreSQL's text cannot store them.
const UNSTORABLE = /[\0\p{Cs}]/u;

const Reason = v.pipe(
	v.string(),
	v.check((text) => !UNSTORABLE.test(text), 'contains characters that cannot be stored'),
	v.trim(),
	// Shown to the person on their phone: no control or text-direction characters.
	v.check(
		(text) => !hasForbiddenCharacter(text, { multiline: true }),
		'contains a control or text-direction character'
	),
	v.minLength(1, 'a rejection needs a reason the person can act on'),
	v.maxLength(MAX_REASON_LENGTH, `at most ${MAX_REASON_LENGTH} characters`)
);

/**
 * A reviewer's decision on one application. `baseVersion` is the version the reviewer
 * looked at; a reason is required when rejecting (the person must learn what to fix) and
 * refused otherwise (it would be shown as the reason for something else).
 */
export const Decision = v.variant('status', [
	v.strictObject({
		status: v.picklist([ApplicationStatus.inReview, ApplicationStatus.approved]),
		baseVersion: BaseVersion
	}),
	v.strictObject({
		status: v.literal(ApplicationStatus.rejected),
		reason: Reason,
		baseVersion: BaseVersion
	})
]);
export type Decision = v.InferOutput<typeof Decision>;

/** What a caller hands to `decide`; checked there against `Decision`. */
export interface DecisionInput {
	status: Exclude<ApplicationStatus, typeof ApplicationStatus.received>;
	reason?: string;
	baseVersion: number;
}

export type DecisionOutcome =
	/** Recorded: the application's new state, which is on its way to the owner's device. */
	| { status: 'applied'; application: ApplicationState }
	/** The application changed since `baseVersion`; nothing was written. */
	| { status: 'conflict'; application: ApplicationState }
	/** Already approved or rejected: a decision, once made, stays. Nothing was written. */
	| { status: 'closed'; application: ApplicationState }
	| { status: 'not_found' }
	/** Not a valid decision (a rejection without a reason, say): path → what is wrong. */
	| { status: 'invalid'; issues: Record<string, string> };

/**
 * Records a reviewer's decision under the same rules as a citizen's amend: only on the
 * version the reviewer saw, version + 1, moved to the end of the owner's feed, one transaction.
 * The row lock makes a decision and a concurrent amend take effect one after the other,
 * so whichever comes second sees the first and answers conflict.
 */
export async function decide(
	db: Database,
	applicationId: string,
	input: DecisionInput,
	/** Who decided, for the audit log: none when no one signed in did (tests, scripts). */
	by: { actor?: string; device?: string } = {}
): Promise<DecisionOutcome> {
	const parsed = v.safeParse(Decision, input);
	if (!parsed.success) return { status: 'invalid', issues: issuesOf(parsed.issues) };
	const decision = parsed.output;
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select(stateColumns)
			.from(applications)
			.where(eq(applications.id, applicationId))
			.for('update');
		if (!row) return { status: 'not_found' };
		if (isDecided(row.status)) {
			return { status: 'closed', application: toApplicationState(row) };
		}
		if (row.version !== decision.baseVersion) {
			return { status: 'conflict', application: toApplicationState(row) };
		}
		const [updated] = await tx
			.update(applications)
			.set({
				status: decision.status,
				reason: decision.status === ApplicationStatus.rejected ? decision.reason : null,
				version: sql`${applications.version} + 1`,
				updatedAt: sql`now()`,
				...feedMove
			})
			.where(eq(applications.id, applicationId))
			.returning(stateColumns);
		if (!updated) throw new Error(`application ${applicationId} was locked but cannot be updated`);
		await appendAudit(tx, { action: AuditAction.decisionMade, subject: applicationId, ...by });
		return { status: 'applied', application: toApplicationState(updated) };
	});
}
