import type { DalaDatabase, DeviceIdentity } from '../db/database';
import { forgetSession, keepSession, readSession } from '../db/session-store';
import { wipeDevice } from '../db/wipe';
import { keptSessionTokens } from './kept-session-tokens';
import { SESSION_LOCK } from './names';
import type { HttpTransportOptions, SessionTokens } from './transport';

/**
 * The person's session on this device as the sync code shows it, kept fresh. Pages, the
 * leading tab's engine and the service worker each make one; the refresh runs under one
 * Web Lock they all share, because a refresh rotates both tokens: two at once would leave
 * one of them holding a pair the server already replaced.
 */
export function sessionTokens(
	db: DalaDatabase,
	device: DeviceIdentity,
	options: HttpTransportOptions = {},
	/** After a revoked device's data is removed: a page starts afresh. */
	afterWipe: () => void = () => {}
): SessionTokens {
	return keptSessionTokens(
		{
			read: () => readSession(db),
			keep: (session) => keepSession(db, session),
			forget: (accessToken) => forgetSession(db, accessToken),
			async revoked() {
				// Removed from the person's account (a lost phone): nothing of theirs stays. (Open
				// pages elsewhere reload by themselves: db/instance.ts.)
				await wipeDevice(db);
				afterWipe();
			},
			lock: SESSION_LOCK
		},
		device,
		options
	);
}
