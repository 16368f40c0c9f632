import * as v from 'valibot';
import {
	MAX_PASSWORD_LENGTH,
	MIN_PASSWORD_LENGTH,
	SetPasswordToken,
	type StaffEnrollResponse
} from '../../../../../shared/accounts';
import { enrollStaff, setStaffPassword } from '$lib/office/staff-accounts';
import { staffProblemOf, totpDigits, type StaffProblem } from '../staff-problems';

export type SetPasswordField = 'password' | 'again' | 'totp' | 'form';

const FIELD_OF: Partial<Record<StaffProblem['kind'], SetPasswordField>> = {
	password_required: 'password',
	password_short: 'password',
	password_long: 'password',
	passwords_differ: 'again',
	totp_required: 'totp',
	totp_format: 'totp',
	wrong_totp: 'totp'
};

/**
 * A new member of staff opening the administrator's link: the link is read from the
 * address (its fragment never reaches a server log) and taken out of it at once, so it
 * stays in neither the history nor a screenshot; then a TOTP secret to enrol, a password,
 * and a first code that proves the secret was enrolled.
 */
export class SetPassword {
	step = $state<'opening' | 'form' | 'done' | 'failed'>('opening');
	enrolled = $state.raw<StaffEnrollResponse | undefined>();
	password = $state('');
	again = $state('');
	totp = $state('');
	busy = $state(false);
	problems = $state.raw<Partial<Record<SetPasswordField, StaffProblem>>>({});
	#token = '';

	#show(...problems: StaffProblem[]): void {
		this.problems = Object.fromEntries(problems.map((p) => [FIELD_OF[p.kind] ?? 'form', p]));
	}

	/** Takes the token out of the address, then asks the server for a secret to enrol. */
	async open(hash: string, forgetAddress: () => void): Promise<void> {
		if (this.#token === '') {
			this.#token = decodeURIComponent(hash.slice(1));
			forgetAddress();
		}
		if (!v.is(SetPasswordToken, this.#token)) return this.#fail({ kind: 'invalid_link' });
		this.step = 'opening';
		try {
			this.enrolled = await enrollStaff(this.#token);
			this.step = 'form';
			this.#show();
		} catch (error) {
			this.#fail(staffProblemOf(error));
		}
	}

	#fail(problem: StaffProblem): void {
		this.step = 'failed';
		this.problems = { form: problem };
	}

	async submit(): Promise<void> {
		if (this.busy) return;
		const found: StaffProblem[] = [];
		const totp = totpDigits(this.totp);
		if (this.password === '') found.push({ kind: 'password_required' });
		else if (this.password.length < MIN_PASSWORD_LENGTH) found.push({ kind: 'password_short' });
		else if (this.password.length > MAX_PASSWORD_LENGTH) found.push({ kind: 'password_long' });
		else if (this.again !== this.password) found.push({ kind: 'passwords_differ' });
		if (totp === '') found.push({ kind: 'totp_required' });
		else if (!/^\d{6}$/.test(totp)) found.push({ kind: 'totp_format' });
		if (found.length > 0) return this.#show(...found);
		if (!navigator.onLine) return this.#show({ kind: 'offline' });
		this.busy = true;
		try {
			await setStaffPassword({ token: this.#token, password: this.password, totp });
			this.password = this.again = this.totp = '';
			this.step = 'done';
			this.#show();
		} catch (error) {
			const problem = staffProblemOf(error);
			if (problem.kind === 'wrong_totp') this.totp = '';
			if (problem.kind === 'invalid_link') this.#fail(problem);
			else this.#show(problem);
		} finally {
			this.busy = false;
		}
	}
}

/** The key as an authenticator app takes it typed: groups of four, easy to read aloud. */
export const groupedKey = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');
