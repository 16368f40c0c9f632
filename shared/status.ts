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
