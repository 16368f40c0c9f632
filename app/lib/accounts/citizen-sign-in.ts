import {
	CitizenCodeResponse,
	Session,
	type CitizenCodeRequest,
	type CitizenConfirmRequest
} from '../../../shared/accounts';
import type { DalaDatabase } from '../db/database';
import { deviceIdentity } from '../sync/device';
import { gzip, signedCalls, type HttpTransportOptions } from '../sync/transport';
import { keepSession } from '../db/session-store';

/**
 * Asks the server to send a sign-in code to `phone` for `iin` (docs/accounts.md). Throws
 * a SyncError when refused (`phone_not_registered`, `too_many_attempts`, …) or offline.
 */
export async function requestSignInCode(
	db: DalaDatabase,
	request: CitizenCodeRequest,
	options: HttpTransportOptions = {}
): Promise<CitizenCodeResponse> {
	const call = signedCalls(await deviceIdentity(db), options);
	return call(
		CitizenCodeResponse,
		'POST',
		'/api/accounts/citizen/code',
		await gzip(JSON.stringify(request))
	);
}

/**
 * Confirms the code typed; the session that comes back is kept on the device before this
 * returns, so a reload right after finds the person signed in. Throws a SyncError
 * (`wrong_code` with the tries left, `code_expired`, …).
 */
export async function confirmSignInCode(
	db: DalaDatabase,
	request: CitizenConfirmRequest,
	options: HttpTransportOptions = {}
): Promise<Session> {
	const call = signedCalls(await deviceIdentity(db), options);
	const session = await call(
		Session,
		'POST',
		'/api/accounts/citizen/confirm',
		await gzip(JSON.stringify(request))
	);
	await keepSession(db, session);
	return session;
}
