/**
 * Statuses only the server sets (promise 7). The device adds its own local states —
 * draft, waiting, sending — on top, and never invents one of these.
 */
export const ApplicationStatus = {
	received: 'received',
	inReview: 'in_review',
	/** A reviewer asked the person for some answers again; their amend answers it. */
	moreInformation: 'more_information',
	approved: 'approved',
	rejected: 'rejected'
} as const;
export type ApplicationStatus = (typeof ApplicationStatus)[keyof typeof ApplicationStatus];
export const APPLICATION_STATUSES = Object.values(ApplicationStatus);

/** Who moves an application: a reviewer deciding, or its applicant answering. */
export type Mover = 'reviewer' | 'applicant';

/**
 * The state machine, the one place it is written down: for each status, the statuses it
 * may move to and who may move it there. No other move exists; the server refuses every
 * other one and writes nothing. Approved and rejected lead nowhere: a decision, once made,
 * is a legal record. A reviewer may decide straight from received (a clear case needs no
 * separate "in review" step). The applicant moves an application only by answering a
 * request for more information, which puts it back in review.
 */
export const TRANSITIONS: Readonly<
	Record<ApplicationStatus, Readonly<Partial<Record<ApplicationStatus, Mover>>>>
> = {
	received: {
		in_review: 'reviewer',
		more_information: 'reviewer',
		approved: 'reviewer',
		rejected: 'reviewer'
	},
	in_review: { more_information: 'reviewer', approved: 'reviewer', rejected: 'reviewer' },
	more_information: { in_review: 'applicant', rejected: 'reviewer' },
	approved: {},
	rejected: {}
};

/** Whether `by` may move an application from `from` to `to`. Unknown statuses move nowhere. */
export function mayMove(from: string, to: string, by: Mover): boolean {
	if (!isKnownStatus(from) || !isKnownStatus(to)) return false;
	return TRANSITIONS[from][to] === by;
}

/**
 * Whether this build knows the status. A newer server may send one it does not (protocol 2
 * reads any status): the app shows it as unknown and offers nothing it cannot judge.
 */
export function isKnownStatus(status: string): status is ApplicationStatus {
	return (APPLICATION_STATUSES as readonly string[]).includes(status);
}

/** Approved or rejected: the office has decided, and a decision, once made, stays. */
export function isDecided(status: string): boolean {
	return status === ApplicationStatus.approved || status === ApplicationStatus.rejected;
}

/**
 * Whether the person may still correct an application's answers: received, in review, or
 * asked for more information (where the correction is the answer). Until the office
 * decides they are the person's to change; a decision is a legal record, so the answers it
 * was made on stay. The server refuses a correction of any other (`application_closed`)
 * and the app offers one only here, and never for a status it does not know.
 */
export function mayAmend(status: string): boolean {
	return isKnownStatus(status) && !isDecided(status);
}

/**
 * The status an amend leaves the application in: answering a request for more information
 * sends it back to review (`mayMove(more_information, in_review, 'applicant')`); any other
 * correction keeps the status it had.
 */
export function statusAfterAmend(status: ApplicationStatus): ApplicationStatus {
	return status === ApplicationStatus.moreInformation &&
		mayMove(status, ApplicationStatus.inReview, 'applicant')
		? ApplicationStatus.inReview
		: status;
}
