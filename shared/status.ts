/**
 * Statuses only the server sets (promise 7). The device adds its own local states —
 * draft, waiting, sending — on top, and never invents one of these.
 */
export const ApplicationStatus = {
	received: 'received',
	inReview: 'in_review',
	approved: 'approved',
	rejected: 'rejected'
} as const;
export type ApplicationStatus = (typeof ApplicationStatus)[keyof typeof ApplicationStatus];
export const APPLICATION_STATUSES = Object.values(ApplicationStatus);

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
 * Whether the person may still correct an application's answers. Until the office decides
 * they are the person's to change; a decision is a legal record, so the answers it was
 * made on stay. The server refuses a correction of any other (`application_closed`) and
 * the app offers one only here, and never for a status it does not know.
 */
export function mayAmend(status: string): boolean {
	return isKnownStatus(status) && !isDecided(status);
}
