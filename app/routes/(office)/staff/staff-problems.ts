import { ErrorCode } from '../../../../shared/errors';
import { formatTime } from '$lib/i18n/locale.svelte';
import { m } from '$lib/paraglide/messages';
import { SyncError } from '$lib/sync/transport';

/** What went wrong on a staff page, named for the message that explains it. */
export type StaffProblem =
	| { kind: 'login_required' | 'password_required' | 'totp_required' | 'totp_format' }
	| { kind: 'password_short' | 'password_long' | 'passwords_differ' | 'wrong_totp' }
	| { kind: 'sign_in_failed' | 'invalid_link' }
	/** Refused for now by the limits: until when, by this device's clock. */
	| { kind: 'locked'; until: number }
	| { kind: 'offline' | 'server' | 'update_required' };

/** A refused or failed staff request as the person needs to hear it. */
export function staffProblemOf(error: unknown): StaffProblem {
	if (!(error instanceof SyncError)) return { kind: 'server' };
	if (error.kind === 'offline') return { kind: 'offline' };
	if (error.kind === 'update_required') return { kind: 'update_required' };
	switch (error.code) {
		case ErrorCode.signInFailed:
			return { kind: 'sign_in_failed' };
		case ErrorCode.invalidSetPasswordLink:
			return { kind: 'invalid_link' };
		case ErrorCode.invalidBody:
			// The one field the server checks beyond what this page checked: the first code.
			if (error.issues?.totp) return { kind: 'wrong_totp' };
			break;
		case ErrorCode.tooManyAttempts:
		case ErrorCode.rateLimited:
			return { kind: 'locked', until: Date.now() + Math.max(60_000, error.retryAfterMs ?? 0) };
	}
	return { kind: 'server' };
}

export function staffProblemMessage(problem: StaffProblem): string {
	switch (problem.kind) {
		case 'login_required':
			return m.staff_error_login_required();
		case 'password_required':
			return m.staff_error_password_required();
		case 'totp_required':
			return m.staff_error_totp_required();
		case 'totp_format':
			return m.staff_error_totp_format();
		case 'password_short':
			return m.staff_error_password_short();
		case 'password_long':
			return m.staff_error_password_long();
		case 'passwords_differ':
			return m.staff_error_passwords_differ();
		case 'wrong_totp':
			return m.staff_error_wrong_totp();
		case 'sign_in_failed':
			return m.staff_error_sign_in_failed();
		case 'invalid_link':
			return m.staff_error_invalid_link();
		case 'locked':
			return m.staff_error_locked({
				time: formatTime(problem.until),
				minutes: Math.ceil((problem.until - Date.now()) / 60_000)
			});
		case 'offline':
			return m.staff_error_offline();
		case 'server':
			return m.signin_error_server();
		case 'update_required':
			return m.signin_error_update();
	}
}

/** A TOTP code as typed (spaces and all) down to its digits. */
export const totpDigits = (typed: string) => typed.replace(/\s/g, '');
