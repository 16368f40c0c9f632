import type { SignInProblem } from '$lib/accounts/sign-in-problem';
import { m } from '$lib/paraglide/messages';

/** Why signing in did not happen, and what to do. */
export function signInProblemMessage(problem: SignInProblem): string {
	switch (problem.kind) {
		case 'iin_required':
			return m.signin_error_iin_required();
		case 'iin_invalid':
			return m.signin_error_iin_invalid();
		case 'phone_required':
			return m.signin_error_phone_required();
		case 'phone_invalid':
			return m.signin_error_phone_invalid();
		case 'not_registered':
			return m.signin_error_not_registered();
		case 'code_required':
			return m.signin_error_code_required();
		case 'code_format':
			return m.signin_error_code_format();
		case 'wrong_code':
			return m.signin_error_wrong_code({ tries: problem.triesLeft });
		case 'code_expired':
			return m.signin_error_code_expired();
		case 'too_many':
			return m.signin_error_too_many({ minutes: problem.minutes });
		case 'offline':
			return m.signin_error_offline();
		case 'unavailable':
			return m.signin_error_unavailable();
		case 'server':
			return m.signin_error_server();
		case 'update_required':
			return m.signin_error_update();
	}
}
