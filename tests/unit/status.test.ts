import { describe, expect, it } from 'vitest';
import {
	APPLICATION_STATUSES,
	isDecided,
	mayAmend,
	type ApplicationStatus
} from '../../shared/status';

// Every status the server sets, and what each rule says of it. A new status fails the
// first test until someone decides here whether it is a decision and may be corrected.
const EXPECTED: Record<ApplicationStatus, { decided: boolean; amendable: boolean }> = {
	received: { decided: false, amendable: true },
	in_review: { decided: false, amendable: true },
	approved: { decided: true, amendable: false },
	rejected: { decided: true, amendable: false }
};

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
});
