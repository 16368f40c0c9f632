import { describe, expect, it } from 'vitest';
import {
	APPLICATION_STATUSES,
	isDecided,
	mayAmend,
	mayMove,
	statusAfterAmend,
	type ApplicationStatus,
	type Mover
} from '../../shared/status';

// Every status the server sets, and what each rule says of it. A new status fails the
// first test until someone decides here whether it is a decision and may be corrected.
const EXPECTED: Record<ApplicationStatus, { decided: boolean; amendable: boolean }> = {
	received: { decided: false, amendable: true },
	in_review: { decided: false, amendable: true },
	more_information: { decided: false, amendable: true },
	approved: { decided: true, amendable: false },
	rejected: { decided: true, amendable: false }
};

// The whole state machine, written out a second time by hand: every move not listed here
// must be refused, for both movers.
const MOVES: readonly [ApplicationStatus, ApplicationStatus, Mover][] = [
	['received', 'in_review', 'reviewer'],
	['received', 'more_information', 'reviewer'],
	['received', 'approved', 'reviewer'],
	['received', 'rejected', 'reviewer'],
	['in_review', 'more_information', 'reviewer'],
	['in_review', 'approved', 'reviewer'],
	['in_review', 'rejected', 'reviewer'],
	['more_information', 'in_review', 'applicant'],
	['more_information', 'rejected', 'reviewer']
];

describe('the status rules', () => {
	it('cover every status the server sets', () => {
		expect(Object.keys(EXPECTED).sort()).toEqual([...APPLICATION_STATUSES].sort());
	});

	it('call approved and rejected decided, and nothing else', () => {
		for (const status of APPLICATION_STATUSES) {
			expect(isDecided(status), status).toBe(EXPECTED[status].decided);
		}
	});

	it('let the person correct an application only until it is decided', () => {
		for (const status of APPLICATION_STATUSES) {
			expect(mayAmend(status), status).toBe(EXPECTED[status].amendable);
		}
	});

	it('allow exactly the moves of the state machine, each to one mover', () => {
		for (const from of APPLICATION_STATUSES) {
			for (const to of APPLICATION_STATUSES) {
				for (const by of ['reviewer', 'applicant'] as const) {
					const listed = MOVES.some(([f, t, b]) => f === from && t === to && b === by);
					expect(mayMove(from, to, by), `${from} → ${to} by ${by}`).toBe(listed);
				}
			}
		}
	});

	it('move nothing from or to a status this build does not know', () => {
		expect(mayMove('archived', 'in_review', 'reviewer')).toBe(false);
		expect(mayMove('received', 'archived', 'reviewer')).toBe(false);
	});

	it('send an answered request back to review, and leave any other amend where it was', () => {
		expect(statusAfterAmend('more_information')).toBe('in_review');
		expect(statusAfterAmend('received')).toBe('received');
		expect(statusAfterAmend('in_review')).toBe('in_review');
	});
});
