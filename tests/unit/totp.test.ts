/**
 * The guard on staff TOTP (sync-server/accounts/totp.ts): the codes authenticator apps
 * compute (RFC 6238's own SHA-1 test vectors), and what `matchTotp` lets through: the
 * current step and one either side for a phone's clock, never a wrong code, never a code
 * already used, never one two steps away.
 */
import { describe, expect, it } from 'vitest';
import { matchTotp, totpCode, totpStep } from '../../sync-server/accounts/totp';

/** RFC 6238 appendix B's seed for SHA-1, "12345678901234567890", in base32. */
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP', () => {
	// Appendix B gives eight digits; an authenticator app shows the last six.
	it.each([
		[59, '287082'],
		[1111111109, '081804'],
		[1111111111, '050471'],
		[1234567890, '005924'],
		[2000000000, '279037'],
		[20000000000, '353130']
	])('at %i s gives %s, as RFC 6238 appendix B', (seconds, code) => {
		expect(totpCode(SECRET, totpStep(seconds * 1000))).toBe(code);
	});

	// Mid-step, so that "one step away" means one step whichever way the clock rounds.
	const now = 1111111111 * 1000;
	const step = totpStep(now);
	const codeAt = (offset: number) => totpCode(SECRET, step + offset);

	it('accepts the current code and answers its step', () => {
		expect(matchTotp(SECRET, codeAt(0), now, null)).toBe(step);
	});

	it('refuses a wrong code', () => {
		const window = [-1, 0, 1].map(codeAt);
		const wrong = String((Number(codeAt(0)) + 1) % 1_000_000).padStart(6, '0');
		expect(window).not.toContain(wrong);
		expect(matchTotp(SECRET, wrong, now, null)).toBeNull();
		// Not six digits: refused before any code is computed.
		expect(matchTotp(SECRET, codeAt(0).slice(1), now, null)).toBeNull();
		expect(matchTotp(SECRET, `${codeAt(0)}0`, now, null)).toBeNull();
	});

	it('refuses a code already used, and any earlier one', () => {
		expect(matchTotp(SECRET, codeAt(0), now, step)).toBeNull();
		expect(matchTotp(SECRET, codeAt(-1), now, step)).toBeNull();
		// The next step's code still works once: lastStep bars only what was used or before.
		expect(matchTotp(SECRET, codeAt(1), now, step)).toBe(step + 1);
		expect(matchTotp(SECRET, codeAt(0), now, step - 1)).toBe(step);
	});

	it('accepts a code one step away, for a clock half a minute off', () => {
		expect(matchTotp(SECRET, codeAt(-1), now, null)).toBe(step - 1);
		expect(matchTotp(SECRET, codeAt(1), now, null)).toBe(step + 1);
	});

	it('refuses a code two steps away', () => {
		expect(matchTotp(SECRET, codeAt(-2), now, null)).toBeNull();
		expect(matchTotp(SECRET, codeAt(2), now, null)).toBeNull();
	});
});
