/**
 * People signing in (docs/accounts.md): every device of the chaos run signs in as a person
 * of its own before the faults start. Signing in under the faults would prove little and
 * cost much: a confirm whose answer is cut spends its code, and codes are limited per
 * device and phone per hour. The servers run the development sender, whose codes are read
 * from their log (servers.ts), as the e2e harness reads them.
 */
import { confirmSignInCode, requestSignInCode } from '../../app/lib/accounts/citizen-sign-in';
import type { DalaDatabase } from '../../app/lib/db/database';
import { withCheckDigit } from '../support/service-answers';

export interface Person {
	iin: string;
	phone: string;
}

/** Person `index` (0–99): an IIN and a phone whose masked form, too, is theirs alone. */
export function personFor(index: number): Person {
	return {
		iin: withCheckDigit(`8505${String(index).padStart(2, '0')}`),
		// The masked phone shows its last two digits: they tell the people's codes apart.
		phone: `+7702${String(index).padStart(7, '0')}`
	};
}

/** Where the codes sent to a masked phone can be read: the server's log. */
export type CodeReader = (maskedPhone: string) => Promise<string>;

/**
 * Signs the device of `db` in as `person`, straight at the server (no proxy): the session
 * is kept in the device's IndexedDB, where its sync code finds it.
 */
export async function signIn(
	db: DalaDatabase,
	person: Person,
	serverUrl: string,
	readCode: CodeReader
): Promise<void> {
	const options = { baseUrl: serverUrl };
	const { challengeId, maskedPhone } = await requestSignInCode(db, person, options);
	const code = await readCode(maskedPhone);
	await confirmSignInCode(db, { challengeId, code }, options);
}
