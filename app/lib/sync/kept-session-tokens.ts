import { Session } from '../../../shared/session';
import { serverClock } from '../server-clock';
import {
	gzip,
	signedCalls,
	SyncError,
	type HttpTransportOptions,
	type SessionTokens
} from './transport';
import type { DeviceIdentity } from '../db/database';

/** Refusals of a refresh that end the session on this device: the person signs in again. */
const ENDED = new Set<string | undefined>(['session_invalid', 'session_expired', 'device_revoked']);

/** Renews ahead of time when the token has less than this left, by the server's clock. */
const EARLY_MS = 30_000;

/** Where a session is kept between calls: the citizen's device database, or the office's. */
export interface SessionKeeping {
	read(): Promise<Session | undefined>;
	keep(session: Session): Promise<void>;
	/** Forgets the session whose access token this is; a newer one stays. */
	forget(accessToken: string): Promise<void>;
	/** The device was removed from the account: whatever it keeps of the person goes. */
	revoked(): Promise<void>;
	/**
	 * The Web Lock a refresh holds, in every page and worker that shares this place: a
	 * refresh rotates both tokens, so only one may run at a time.
	 */
	lock: string;
}

/**
 * A kept session as signed calls show it, kept fresh: renewed ahead of expiry, or when
 * the server finds it expired, once for every caller that saw it expire.
 */
export function keptSessionTokens(
	kept: SessionKeeping,
	device: DeviceIdentity,
	options: HttpTransportOptions = {}
): SessionTokens {
	// The refresh call itself shows no session: the refresh token in its body is the proof.
	const call = signedCalls(device, options);
	const clock = options.clock ?? serverClock;

	async function ended(shown: string | undefined, code: string): Promise<SyncError> {
		if (code === 'device_revoked') await kept.revoked();
		else if (shown) await kept.forget(shown);
		return signedOut(code);
	}

	/** Under the lock: the stored session, refreshed unless another holder already did. */
	async function refreshed(shown: string): Promise<string> {
		return withLock(kept.lock, async () => {
			const stored = await kept.read();
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
				// Offline or a server error: the refresh token stays, the next call tries again
				// (a lost answer is covered by the server's grace for the token just used).
				throw error;
			}
			await kept.keep(session);
			return session.accessToken;
		});
	}

	return {
		async current() {
			const stored = await kept.read();
			if (!stored) return undefined;
			// Ahead of time, so a call does not start with a refusal. The clock knows the server's
			// time once any answer came; before that the server's `session_expired` is the backstop.
			const left = Date.parse(stored.accessExpiresAt) - clock.now();
			return left > EARLY_MS ? stored.accessToken : refreshed(stored.accessToken);
		},
		renew: refreshed,
		ended
	};
}

const signedOut = (code: string) => new SyncError('signed_out', 'sign in again', 401, code);

/**
 * Runs `work` holding the lock `name` of the whole origin (pages and the service worker).
 * Where there are no Web Locks (Node, in the simulation) one context is all there is.
 */
let queue: Promise<unknown> = Promise.resolve();
function withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
	if (typeof navigator !== 'undefined' && navigator.locks) {
		// The lock's promise is the work's: typed one level too deep by the DOM library.
		return navigator.locks.request(name, work) as unknown as Promise<T>;
	}
	const next = queue.then(work, work);
	queue = next.catch(() => {});
	return next;
}
