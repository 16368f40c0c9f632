import { eq, sql } from 'drizzle-orm';
import * as v from 'valibot';
import { MAX_REASON_LENGTH } from '../../shared/office';
import type { ApplicationState } from '../../shared/protocol';
import { askableFields, rejectReason } from '../../shared/services/reject-reasons';
import { ApplicationStatus, isDecided, mayMove } from '../../shared/status';
import { cannotBeStored, hasForbiddenCharacter } from '../../shared/text';
import { stateColumns, toApplicationState } from '../sync/application-state';
import { appendHistory } from '../sync/history';
import type { Catalogue } from '../catalogue/catalogue';
import { recordDocuments, signDocuments } from '../documents/issue';
import type { DocumentKeys } from '../documents/signing-keys';
import type { Database } from '../db/open';
import { applications, feedMove, HistoryKind } from '../db/schema';
import { issuesOf } from '../http/errors';
import { appendAudit, AuditAction } from '../accounts/audit';

/** The version of the application the reviewer looked at. */
export const BaseVersion = v.pipe(v.number(), v.integer(), v.minValue(1));

/** The most answers one request for more information may ask for again. */
export const MAX_REQUESTED_FIELDS = 50;

/** A reviewer's words, shown to the person on their phone. */
export function reviewerText(empty: string) {
	return v.pipe(
		v.string(),
		v.check((text) => !cannotBeStored(text), 'contains characters that cannot be stored'),
		v.trim(),
		// No control or text-direction characters: they could make it read otherwise.
		v.check(
			(text) => !hasForbiddenCharacter(text, { multiline: true }),
			'contains a control or text-direction character'
		),
		v.minLength(1, empty),
		v.maxLength(MAX_REASON_LENGTH, `at most ${MAX_REASON_LENGTH} characters`)
	);
}

const NO_REASON = 'a rejection needs a reason the person can act on';
const Reason = reviewerText(NO_REASON);
const Message = reviewerText('say what the person should send');
/** Checked against the service's list in `decide`: the schema does not know the service. */
const ReasonCode = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
/** Input names; checked against the application's service version in `decide`. */
const Fields = v.pipe(
	v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(100))),
	v.minLength(1, 'ask for at least one answer'),
	v.maxLength(MAX_REQUESTED_FIELDS, `at most ${MAX_REQUESTED_FIELDS} answers`),
	// The same field named twice is asked once.
	v.transform((fields) => [...new Set(fields)])
);

/**
 * A reviewer's decision on one application. `baseVersion` is the version the reviewer
 * looked at. A rejection needs a reason the person can act on: a code of its service's list,
 * words of the reviewer's own, or both; a reason is refused on anything else (it would be
 * shown as the reason for something else). Asking for more information names the answers
 * asked for again and says why. Which moves are allowed from where is the state machine's
 * to say (shared/status.ts), not this schema's.
 */
export const Decision = v.pipe(
	v.variant('status', [
		v.strictObject({
			status: v.picklist([ApplicationStatus.inReview, ApplicationStatus.approved]),
			baseVersion: BaseVersion
		}),
		v.strictObject({
			status: v.literal(ApplicationStatus.rejected),
			reason: v.optional(Reason),
			reasonCode: v.optional(ReasonCode),
			baseVersion: BaseVersion
		}),
		v.strictObject({
			status: v.literal(ApplicationStatus.moreInformation),
			fields: Fields,
			message: Message,
			baseVersion: BaseVersion
		})
	]),
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const d = dataset.value;
		if (d.status !== ApplicationStatus.rejected) return;
		if (d.reason !== undefined || d.reasonCode !== undefined) return;
		addIssue({
			message: NO_REASON,
			path: [{ type: 'object', origin: 'value', input: d, key: 'reason', value: undefined }]
		});
	})
);
export type Decision = v.InferOutput<typeof Decision>;

/** What a caller hands to `decide`; checked there against `Decision`. */
export interface DecisionInput {
	status: Exclude<ApplicationStatus, typeof ApplicationStatus.received>;
	reason?: string;
	reasonCode?: string;
	fields?: string[];
	message?: string;
	baseVersion: number;
}

export type DecisionOutcome =
	/** Recorded: the application's new state, which is on its way to the owner's device. */
	| { status: 'applied'; application: ApplicationState }
	/** The application changed since `baseVersion`; nothing was written. */
	| { status: 'conflict'; application: ApplicationState }
	/** Already approved or rejected: a decision, once made, stays. Nothing was written. */
	| { status: 'closed'; application: ApplicationState }
	/**
	 * Not a move the state machine has from where the application stands (deciding what
	 * waits for the person's answer, say). Nothing was written.
	 */
	| { status: 'not_allowed'; application: ApplicationState }
	| { status: 'not_found' }
	/** Not a valid decision (a rejection without a reason, say): path → what is wrong. */
	| { status: 'invalid'; issues: Record<string, string> };

/**
 * Records a reviewer's decision under the same rules as a citizen's amend: only on the
 * version the reviewer saw, version + 1, moved to the end of the owner's feed, one
 * transaction with its audit entry and history row. The row lock makes a decision and a
 * concurrent amend or decision take effect one after the other, so whichever comes second
 * sees the first and answers conflict.
 */
export async function decide(
	db: Database,
	applicationId: string,
	input: DecisionInput,
	/** Who decided, for the audit log: none when no one signed in did (tests, scripts). */
	by: { actor?: string; device?: string } = {},
	/** Where the application's service version is found, for the fields asked for. */
	catalogue: Catalogue,
	/** What an approval's document is signed with. */
	documents: DocumentKeys
): Promise<DecisionOutcome> {
	const parsed = v.safeParse(Decision, input);
	if (!parsed.success) return { status: 'invalid', issues: issuesOf(parsed.issues) };
	const decision = parsed.output;
	// Read before the transaction, never inside it (push.ts says why); cached.
	const key =
		decision.status === ApplicationStatus.approved ? await documents.current() : undefined;
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select(stateColumns)
			.from(applications)
			.where(eq(applications.id, applicationId))
			.for('update');
		if (!row) return { status: 'not_found' };
		// What the request names must exist for this application's service, whatever its state.
		const issues = serviceIssues(decision, row, catalogue);
		if (issues) return { status: 'invalid', issues };
		if (isDecided(row.status)) {
			return { status: 'closed', application: toApplicationState(row) };
		}
		if (row.version !== decision.baseVersion) {
			return { status: 'conflict', application: toApplicationState(row) };
		}
		if (!mayMove(row.status, decision.status, 'reviewer')) {
			return { status: 'not_allowed', application: toApplicationState(row) };
		}
		// An approval issues its document in this transaction (documents/issue.ts).
		const service = catalogue.find(row.serviceId, row.serviceVersion);
		const issued =
			key && service
				? (await signDocuments(tx, key, [{ applicationId, service, answers: row.answers }])).get(
						applicationId
					)
				: undefined;
		const rejected = decision.status === ApplicationStatus.rejected ? decision : undefined;
		const asked = decision.status === ApplicationStatus.moreInformation ? decision : undefined;
		const [updated] = await tx
			.update(applications)
			.set({
				status: decision.status,
				reason: rejected?.reason ?? null,
				reasonCode: rejected?.reasonCode ?? null,
				// Set only by this request; any other move closes an open one.
				requestedFields: asked?.fields ?? null,
				requestMessage: asked?.message ?? null,
				document: issued?.code ?? null,
				version: sql`${applications.version} + 1`,
				updatedAt: sql`now()`,
				...feedMove
			})
			.where(eq(applications.id, applicationId))
			.returning(stateColumns);
		if (!updated) throw new Error(`application ${applicationId} was locked but cannot be updated`);
		if (issued) await recordDocuments(tx, [issued]);
		await appendAudit(tx, { action: AuditAction.decisionMade, subject: applicationId, ...by });
		await appendHistory(tx, [
			{
				applicationId,
				kind: HistoryKind.decided,
				fromStatus: row.status,
				toStatus: updated.status,
				actor: by.actor,
				device: by.device
			}
		]);
		return { status: 'applied', application: toApplicationState(updated) };
	});
}

/**
 * What the decision names that the application's service does not have: a reason code
 * outside its list, a field it does not ask. Undefined when all is there.
 */
function serviceIssues(
	decision: Decision,
	row: { serviceId: string; serviceVersion: number },
	catalogue: Catalogue
): Record<string, string> | undefined {
	if (decision.status === ApplicationStatus.rejected && decision.reasonCode !== undefined) {
		if (!rejectReason(row.serviceId, decision.reasonCode)) {
			return { reasonCode: 'not a reason of this service' };
		}
	}
	if (decision.status === ApplicationStatus.moreInformation) {
		const service = catalogue.find(row.serviceId, row.serviceVersion);
		const askable = service ? askableFields(service) : new Set<string>();
		const issues: Record<string, string> = {};
		decision.fields.forEach((field, i) => {
			if (!askable.has(field)) issues[`fields.${i}`] = 'not a field of this service';
		});
		if (Object.keys(issues).length > 0) return issues;
	}
	return undefined;
}
