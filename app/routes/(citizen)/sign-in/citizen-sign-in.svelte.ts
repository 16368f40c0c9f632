import * as v from 'valibot';
import { CitizenCodeRequest, CitizenConfirmRequest } from '../../../../shared/accounts';
import { confirmSignInCode, requestSignInCode } from '$lib/accounts/citizen-sign-in';
import { signInProblemOf, type SignInProblem } from '$lib/accounts/sign-in-problem';
import type { DalaDatabase } from '$lib/db/database';

/** Where a problem is shown: at its field, or above the form. */
export type SignInField = 'iin' | 'phone' | 'code' | 'form';

const FIELD_OF: Record<SignInProblem['kind'], SignInField> = {
	iin_required: 'iin',
	iin_invalid: 'iin',
	phone_required: 'phone',
	phone_invalid: 'phone',
	not_registered: 'phone',
	code_required: 'code',
	code_format: 'code',
	code_expired: 'code',
	wrong_code: 'code',
	too_many: 'form',
	offline: 'form',
	unavailable: 'form',
	server: 'form',
	update_required: 'form'
};

/**
 * A citizen signing in: IIN and phone, then the code the phone got by SMS. Signing in
 * needs the server, so with no connection it says so at once. What the person typed
 * stays in the fields whatever goes wrong.
 */
export class CitizenSignIn {
	readonly #db: DalaDatabase;

	step = $state<'details' | 'code'>('details');
	iin = $state('');
	phone = $state('');
	code = $state('');
	busy = $state(false);
	/** Where the code went, as the server masks it. */
	maskedPhone = $state('');
	problems = $state.raw<Partial<Record<SignInField, SignInProblem>>>({});
	#challengeId = '';

	constructor(db: DalaDatabase) {
		this.#db = db;
	}

	#show(...problems: SignInProblem[]): void {
		this.problems = Object.fromEntries(problems.map((p) => [FIELD_OF[p.kind], p]));
	}

	/** Checks IIN and phone here (the shared rules), then asks for a code. */
	async requestCode(): Promise<void> {
		if (this.busy) return;
		const found: SignInProblem[] = [];
		const parsed = v.safeParse(CitizenCodeRequest, { iin: this.iin, phone: this.phone });
		const flat = parsed.success ? {} : v.flatten<typeof CitizenCodeRequest>(parsed.issues).nested;
		if (this.iin.trim() === '') found.push({ kind: 'iin_required' });
		else if (flat?.iin) found.push({ kind: 'iin_invalid' });
		if (this.phone.trim() === '') found.push({ kind: 'phone_required' });
		else if (flat?.phone) found.push({ kind: 'phone_invalid' });
		if (found.length > 0 || !parsed.success) return this.#show(...found);
		if (!navigator.onLine) return this.#show({ kind: 'offline' });
		this.busy = true;
		try {
			const sent = await requestSignInCode(this.#db, parsed.output);
			this.#challengeId = sent.challengeId;
			this.maskedPhone = sent.maskedPhone;
			this.code = '';
			this.step = 'code';
			this.#show();
		} catch (error) {
			this.#show(signInProblemOf(error));
		} finally {
			this.busy = false;
		}
	}

	/** Checks the code's shape, then confirms it; true once signed in (the session kept). */
	async confirm(): Promise<boolean> {
		if (this.busy) return false;
		const code = this.code.replace(/\s/g, '');
		if (code === '') return (this.#show({ kind: 'code_required' }), false);
		const parsed = v.safeParse(CitizenConfirmRequest, { challengeId: this.#challengeId, code });
		if (!parsed.success) return (this.#show({ kind: 'code_format' }), false);
		if (!navigator.onLine) return (this.#show({ kind: 'offline' }), false);
		this.busy = true;
		try {
			await confirmSignInCode(this.#db, parsed.output);
			this.#show();
			return true;
		} catch (error) {
			this.#show(signInProblemOf(error));
			return false;
		} finally {
			this.busy = false;
		}
	}

	/** Back to IIN and phone, to correct them or to ask for a new code. */
	changeDetails(): void {
		this.step = 'details';
		this.#show();
	}
}
