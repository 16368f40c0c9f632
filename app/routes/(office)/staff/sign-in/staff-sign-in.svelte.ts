import * as v from 'valibot';
import { StaffSignInRequest } from '../../../../../shared/accounts';
import type { Role } from '../../../../../shared/session';
import { signInStaff } from '$lib/office/staff-accounts';
import { staffProblemOf, totpDigits, type StaffProblem } from '../staff-problems';

/** Where a problem is shown: at its field, or above the form. */
export type StaffSignInField = 'login' | 'password' | 'totp' | 'form';

const FIELD_OF: Partial<Record<StaffProblem['kind'], StaffSignInField>> = {
	login_required: 'login',
	password_required: 'password',
	totp_required: 'totp',
	totp_format: 'totp'
};

/**
 * A member of staff signing in: login, password and the authenticator's code, checked
 * here for what can be checked, then by the server. A refusal does not say which of the
 * three was wrong (the server does not either); the password and code are cleared.
 */
export class StaffSignIn {
	login = $state('');
	password = $state('');
	totp = $state('');
	busy = $state(false);
	problems = $state.raw<Partial<Record<StaffSignInField, StaffProblem>>>({});

	#show(...problems: StaffProblem[]): void {
		this.problems = Object.fromEntries(problems.map((p) => [FIELD_OF[p.kind] ?? 'form', p]));
	}

	/** The role signed in as, the session kept; undefined when not signed in. */
	async submit(): Promise<Role | undefined> {
		if (this.busy) return undefined;
		const found: StaffProblem[] = [];
		const totp = totpDigits(this.totp);
		if (this.login.trim() === '') found.push({ kind: 'login_required' });
		if (this.password === '') found.push({ kind: 'password_required' });
		if (totp === '') found.push({ kind: 'totp_required' });
		else if (!/^\d{6}$/.test(totp)) found.push({ kind: 'totp_format' });
		const request = { login: this.login.trim(), password: this.password, totp };
		if (found.length > 0 || !v.is(StaffSignInRequest, request)) {
			this.#show(...found);
			return undefined;
		}
		if (!navigator.onLine) return void this.#show({ kind: 'offline' });
		this.busy = true;
		try {
			const session = await signInStaff(request);
			this.#show();
			return session.account.role;
		} catch (error) {
			const problem = staffProblemOf(error);
			if (problem.kind === 'sign_in_failed') {
				this.password = '';
				this.totp = '';
			}
			this.#show(problem);
			return undefined;
		} finally {
			this.busy = false;
		}
	}
}
