/**
 * The automatic rules (shared/services/automatic-rules.ts) as a push runs them: in the
 * transaction that stores the applications, on what the database holds under the
 * applicants' locks. A rule's approval is written with the receipt (push.ts), so an
 * application is never stored undecided when a rule could decide it, nor decided unstored.
 */
import { and, ne, sql } from 'drizzle-orm';
import {
	decideByRule,
	registrationHolder,
	type AutomaticOutcome,
	type ReviewReason
} from '../../shared/services/automatic-rules';
import type { ServiceDefinition } from '../../shared/services/definition';
import type { Answers } from '../../shared/services/validate';
import { ApplicationStatus } from '../../shared/status';
import { lockRegistrations } from '../db/lock-order';
import type { Transaction } from '../db/open';
import { applications } from '../db/schema';

interface Submitted {
	service: ServiceDefinition;
	answers: Answers;
}

/** One person's registration of one service, as the rule and its lock name it. */
function holderOf({ service, answers }: Submitted): string | undefined {
	const field = registrationHolder(service);
	const iin = field && answers[field];
	return iin ? `${service.id} ${iin}` : undefined;
}

/**
 * The registrations already open among the applicants of `submits`, as `holderOf` names
 * them, read after taking their locks: whatever another server commits for these people
 * after this returns waits for this transaction, and sees it. No statement when no submit
 * is of a service whose rule reads registrations.
 */
export async function openRegistrations(
	tx: Transaction,
	submits: readonly Submitted[]
): Promise<Set<string>> {
	const byField = new Map<string, { services: Set<string>; iins: Set<string> }>();
	for (const submit of submits) {
		const field = registrationHolder(submit.service);
		const iin = field && submit.answers[field];
		if (!field || !iin) continue;
		const group = byField.get(field) ?? { services: new Set(), iins: new Set() };
		group.services.add(submit.service.id);
		group.iins.add(iin);
		byField.set(field, group);
	}
	const open = new Set<string>();
	if (byField.size === 0) return open;
	await lockRegistrations(
		tx,
		submits.map(holderOf).filter((h) => h !== undefined)
	);
	for (const [field, { services, iins }] of byField) {
		// The field is a definition's FieldRef (letters and digits): safe as a literal, and a
		// literal lets `applications_registrations_idx` serve the query.
		const answer = sql.raw(`(answers ->> '${field}')`);
		const rows = await tx
			.selectDistinct({ serviceId: applications.serviceId, iin: sql<string>`${answer}` })
			.from(applications)
			.where(
				and(
					sql`${applications.serviceId} = any(${`{${[...services].join(',')}}`}::text[])`,
					sql`${answer} = any(${`{${[...iins].join(',')}}`}::text[])`,
					ne(applications.status, ApplicationStatus.rejected)
				)
			);
		for (const row of rows) open.add(`${row.serviceId} ${row.iin}`);
	}
	return open;
}

/**
 * Each submit's outcome, in device order: an application made earlier in the same push is
 * open for the ones after it, as it would be one push later. `open` grows as it goes.
 */
export function ruleOutcomes<T extends Submitted>(
	submits: readonly T[],
	open: Set<string>
): Map<T, AutomaticOutcome> {
	const outcomes = new Map<T, AutomaticOutcome>();
	for (const submit of submits) {
		const holder = holderOf(submit);
		outcomes.set(
			submit,
			decideByRule(submit.service, submit.answers, {
				openRegistration: holder !== undefined && open.has(holder)
			})
		);
		if (holder) open.add(holder);
	}
	return outcomes;
}

/**
 * Why a rule passed the application to a person, as `applications.review_reason` keeps it
 * for the office; null when a rule decided it or none ran.
 */
export function reviewReasonOf(outcome: AutomaticOutcome | undefined): ReviewReason | null {
	return outcome?.decision === 'review' ? outcome.reason : null;
}
