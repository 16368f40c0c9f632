import type { DalaDatabase, DeviceIdentity } from '../db/database';
import { uploadFile, UploadInterrupted } from '../files/upload';
import type { FileSender } from './attachments';
import { retryAfterMs } from './backoff';
import { registerDevice, SESSION_ENDED, SyncError, type SessionTokens } from './transport';

// Short: a link that stays down is the sync engine's to wait out, with its own back-off,
// so a pass is not stuck in one file for minutes while other mutations could go.
const ENGINE_RETRY_DELAYS = [1000, 3000, 6000];

/** An interrupted upload as the engine understands it. */
function engineError(error: UploadInterrupted): Error {
	// An outdated app: the engine asks the person to update and stops retrying.
	if (error.code === 'unsupported_protocol') {
		return new SyncError('update_required', error.message, 426, error.code);
	}
	// A limit (too many uploads, too fast): the engine waits as long as it was told.
	if (error.status === 429) {
		const wait = retryAfterMs(error.retryAfter, Date.now());
		return new SyncError('server', error.message, 429, 'rate_limited', wait);
	}
	return error;
}

/**
 * How the sync engine sends files (attachments.ts): `uploadFile` (app/lib/files) as this
 * device. The device is registered once first (idempotent): a phone whose first act is a
 * photo has not spoken to this server yet, and tus has no "register and repeat" of its own.
 */
export function fileSender(
	db: DalaDatabase,
	identity: DeviceIdentity,
	{ origin = location.origin, session }: { origin?: string; session?: SessionTokens } = {}
): FileSender {
	// Once per sender; a failure is retried on the next file.
	let registered: Promise<void> | undefined;
	const register = () =>
		(registered ??= registerDevice(identity, { baseUrl: origin }).catch((error: unknown) => {
			registered = undefined;
			if (error instanceof SyncError && error.kind === 'update_required') throw error;
			throw new UploadInterrupted(`register: ${String(error)}`);
		}));
	return {
		async send(fileId, onProgress) {
			await register();
			let accessToken = await session?.current();
			for (let renewed = false; ; renewed = true) {
				try {
					return await uploadFile({
						db,
						identity,
						fileId,
						origin,
						onProgress,
						retryDelays: ENGINE_RETRY_DELAYS,
						accessToken
					});
				} catch (error) {
					if (!(error instanceof UploadInterrupted)) throw error;
					// The session ran out mid-upload: renewed once (what was sent stays sent),
					// or it ended for good and the person signs in again; the photo waits.
					if (session && accessToken && error.code === 'session_expired' && !renewed) {
						accessToken = await session.renew(accessToken);
						continue;
					}
					if (session && SESSION_ENDED.has(error.code)) {
						throw await session.ended(accessToken, error.code!);
					}
					throw engineError(error);
				}
			}
		}
	};
}
