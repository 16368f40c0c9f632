import {
	Session,
	StaffEnrollResponse,
	type StaffSetPasswordRequest,
	type StaffSignInRequest
} from '../../../shared/accounts';
import * as v from 'valibot';
import { keptSessionTokens } from '../sync/kept-session-tokens';
import { gzip, signedCalls, type SignedCall } from '../sync/transport';
import {
	forgetStaffSession,
	keepStaffSession,
	officeDevice,
	readStaffSession
} from './office-database';

/** The lock of the office's session refresh: a place of its own, apart from the citizen's. */
const OFFICE_SESSION_LOCK = 'dala-office-session';

const json = (body: unknown) => gzip(JSON.stringify(body));

/** Signed calls of this browser's office device, showing no session: signing in. */
async function deviceCalls(): Promise<SignedCall> {
	return signedCalls(await officeDevice());
}

/**
 * Signed calls showing the staff session, refreshed as it runs out. A session the server
 * ended throws SyncError `signed_out`: the page sends the person to sign in again.
 */
export async function officeCalls(): Promise<SignedCall> {
	const device = await officeDevice();
	const session = keptSessionTokens(
		{
			read: readStaffSession,
			keep: keepStaffSession,
			forget: forgetStaffSession,
			// Staff keep no one's data here; the session is all there is to forget.
			revoked: () => forgetStaffSession(),
			lock: OFFICE_SESSION_LOCK
		},
		device
	);
	return signedCalls(device, { session });
}

/** The set-password link opened: who it is for, and a new TOTP secret to enrol. */
export async function enrollStaff(token: string): Promise<StaffEnrollResponse> {
	const call = await deviceCalls();
	return call(StaffEnrollResponse, 'POST', '/api/accounts/staff/enroll', await json({ token }));
}

/** The password and the first code of the secret just shown; the link is spent. */
export async function setStaffPassword(request: StaffSetPasswordRequest): Promise<void> {
	const call = await deviceCalls();
	await call(
		v.object({ set: v.literal(true) }),
		'POST',
		'/api/accounts/staff/set-password',
		await json(request)
	);
}

/** Signs a member of staff in; the session is kept before this returns. */
export async function signInStaff(request: StaffSignInRequest): Promise<Session> {
	const call = await deviceCalls();
	const session = await call(Session, 'POST', '/api/accounts/staff/sign-in', await json(request));
	await keepStaffSession(session);
	return session;
}

/**
 * Ends the session on the server, then here. Here whatever the server said: a person who
 * signs out of a shared computer must be signed out of it even when the server is away.
 */
export async function signOutStaff(): Promise<void> {
	try {
		const call = await officeCalls();
		await call(v.object({}), 'POST', '/api/accounts/session/sign-out', await json({}));
	} catch {
		// Ended or unreachable: the server's session runs out by itself.
	} finally {
		await forgetStaffSession();
	}
}
