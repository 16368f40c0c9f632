import { ErrorCode } from '../../../shared/errors';
import { SyncError } from '../sync/transport';

/** A problem the person can act on, named for the message that explains it. */
export type SignInProblem =
	| { kind: 'iin_required' | 'iin_invalid' | 'phone_required' | 'phone_invalid' }
	| { kind: 'not_registered' | 'code_required' | 'code_format' | 'code_expired' }
	| { kind: 'wrong_code'; triesLeft: number }
	| { kind: 'too_many'; minutes: number }
	| { kind: 'offline' | 'unavailable' | 'server' | 'update_required' };

/** A refused or failed request as the person needs to hear it. */
export function signInProblemOf(error: unknown): SignInProblem {
	if (!(error instanceof SyncError)) return { kind: 'server' };
	if (error.kind === 'offline') return { kind: 'offline' };
	if (error.kind === 'update_required') return { kind: 'update_required' };
	switch (error.code) {
		case ErrorCode.phoneNotRegistered:
			return { kind: 'not_registered' };
		case ErrorCode.wrongCode:
			return { kind: 'wrong_code', triesLeft: Number(error.issues?.triesLeft ?? 0) };
		case ErrorCode.codeExpired:
			return { kind: 'code_expired' };
		case ErrorCode.tooManyAttempts:
		case ErrorCode.rateLimited:
			return {
				kind: 'too_many',
				minutes: Math.max(1, Math.ceil((error.retryAfterMs ?? 0) / 60_000))
			};
		case ErrorCode.registerUnavailable:
		case ErrorCode.codeNotSent:
			return { kind: 'unavailable' };
	}
	return { kind: 'server' };
}
