/**
 * The rules that decide an application the moment it arrives, named by a definition's
 * `processing`. A rule answers only what it can answer from the answers and the facts the
 * server hands it; anything else goes to a person. The server runs them in the transaction
 * that stores the application (sync-server/sync/push.ts), so a decision is never made on
 * something not stored, nor stored without being made.
 */
import type { ServiceDefinition } from './definition';
import { computeRule } from './rules';
import type { Answers } from './validate';

/** What the database alone knows, read under the applicant's registration lock. */
export interface RuleFacts {
	/**
	 * Whether the applicant already has a registration of this service that is not refused
	 * (being decided, or in force). A second one is a person's call, not a rule's.
	 */
	openRegistration: boolean;
}

/** Why a rule passed an application to a person, for the office's history. */
export const ReviewReason = {
	/** The activity needs an inspection or a licence first. */
	notLowRisk: 'not_low_risk',
	/** The applicant already has one registration open or in force. */
	openRegistration: 'open_registration',
	/** The declared tax is not what the rate table gives (or the year has no table). */
	taxMismatch: 'tax_mismatch'
} as const;
export type ReviewReason = (typeof ReviewReason)[keyof typeof ReviewReason];

export type AutomaticOutcome =
	| { decision: 'approve' }
	| { decision: 'review'; reason: ReviewReason }
	/** The service is decided by people; no rule runs. */
	| { decision: 'none' };

/**
 * The rule's outcome for answers already validated by the service's own rules. Pure: the
 * same answers and facts give the same outcome on any server, in any test.
 */
export function decideByRule(
	service: ServiceDefinition,
	answers: Answers,
	facts: RuleFacts
): AutomaticOutcome {
	const processing = service.processing;
	if (processing.kind !== 'automatic') return { decision: 'none' };
	switch (processing.rule) {
		case 'lowRiskNotification': {
			const activity = answers[processing.activity] ?? '';
			if (!processing.lowRisk.includes(activity)) {
				return { decision: 'review', reason: ReviewReason.notLowRisk };
			}
			if (facts.openRegistration) {
				return { decision: 'review', reason: ReviewReason.openRegistration };
			}
			return { decision: 'approve' };
		}
		case 'acceptDeclaration':
			return taxMatches(service, answers)
				? { decision: 'approve' }
				: { decision: 'review', reason: ReviewReason.taxMismatch };
	}
}

/**
 * Whether every figure the service computes is what was declared. Validation already
 * refuses a mismatch; this is the rule's own check, so a definition whose validation is
 * loosened can never make the rule accept a wrong figure.
 */
function taxMatches(service: ServiceDefinition, answers: Answers): boolean {
	const rules = service.rules.filter((rule) => rule.rule === 'simplifiedTax');
	if (rules.length === 0) return false;
	return rules.every((rule) => {
		const due = computeRule(rule, answers);
		return due !== undefined && Object.entries(due).every(([name, v]) => answers[name] === v);
	});
}

/**
 * The answer that names whose registration this is, for services whose rule must see the
 * applicant's other registrations (and so takes the applicant's lock); undefined for others.
 */
export function registrationHolder(service: ServiceDefinition): string | undefined {
	const processing = service.processing;
	return processing.kind === 'automatic' && processing.rule === 'lowRiskNotification'
		? processing.applicant
		: undefined;
}
