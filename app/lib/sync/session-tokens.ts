import { Session } from '../../../shared/session';
import type { DalaDatabase, DeviceIdentity } from '../db/database';
import { serverClock } from '../server-clock';
import { SESSION_LOCK } from './names';
import {
	gzip,
	signedCalls,
	SyncError,
	type HttpTransportOptions,
	type SessionTokens
} from './transport';
import { forgetSession, keepSession, readSession } from '../db/session-store';
import { wipeDevice } from '../db/wipe';

/** Refusals of a refresh that end the session on this device: the person signs in again. */
const ENDED = new Set<string | undefined>(['session_invalid', 'session_expired', 'device_revoked']);

/** Renews ahead of time when the token has less than this left, by the server's clock. */
const EARLY_MS = 30_000;

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
	// The refresh call itself shows no session: the refresh token in its body is the proof.
	const call = signedCalls(device, options);
	const clock = options.clock ?? serverClock;

	async function ended(shown: string | undefined, code: string): Promise<SyncError> {
		if (code === 'device_revoked') {
			// Removed from the person's account (a lost phone): nothing of theirs stays. (Open
			// pages elsewhere reload by themselves: db/instance.ts.)
			await wipeDevice(db);
			afterWipe();
		} else if (shown) await forgetSession(db, shown);
		return signedOut(code);
	}

	/** Under the lock: the stored session, refreshed unless another holder already did. */
	async function refreshed(shown: string): Promise<string> {
		return withSessionLock(async () => {
			const stored = await readSession(db);
			if (!stored) throw signedOut('session_invalid');
			if (stored.accessToken !== shown) return stored.accessToken;
			let session: Session;
			try {
				session = await call(
					Session,
					'POST',
					'/api/accounts/session/refresh',
					await gzip(JSON.stringify({ refreshToken: stored.refreshToken }))
				);
			} catch (error) {
				if (error instanceof SyncError && ENDED.has(error.code)) {
					throw await ended(stored.accessToken, error.code!);
				}
				// Offline or a server error: the refresh token stays, the next pass tries again
				// (a lost answer is covered by the server's grace for the token just used).
				throw error;
			}
			await keepSession(db, session);
			return session.accessToken;
		});
	}

	return {
		async current() {
			const stored = await readSession(db);
			if (!stored) return undefined;
			// Ahead of time, so a pass does not start with a refusal. The clock knows the server's
			// time once any answer came; before that the server's `session_expired` is the backstop.
			const left = Date.parse(stored.accessExpiresAt) - clock.now();
			return left > EARLY_MS ? stored.accessToken : refreshed(stored.accessToken);
		},
		renew: refreshed,
		ended
	};
}

const signedOut = (code: string) => new SyncError('signed_out', 'sign in again to send', 401, code);

/**
 * Runs `work` holding the session lock of the whole origin (pages and the service worker).
 * Where there are no Web Locks (Node, in the simulation) one context is all there is.
 */
let queue: Promise<unknown> = Promise.resolve();
function withSessionLock<T>(work: () => Promise<T>): Promise<T> {
	if (typeof navigator !== 'undefined' && navigator.locks) {
		// The lock's promise is the work's: typed one level too deep by the DOM library.
		return navigator.locks.request(SESSION_LOCK, work) as unknown as Promise<T>;
	}
	const next = queue.then(work, work);
	queue = next.catch(() => {});
	return next;
}
