import * as v from 'valibot';
import type { DalaDatabase } from '../db/database';
import { isPending } from '../db/outbox';
import { readSession } from '../db/session-store';
import { wipeDevice } from '../db/wipe';
import { deviceIdentity } from '../sync/device';
import { sessionTokens } from '../sync/session-tokens';
import { gzip, signedCalls, type HttpTransportOptions } from '../sync/transport';

/** What signing out would remove that the server does not have yet. */
export interface Unsent {
	/** Applications (and corrections) queued and not yet accepted by the server. */
	applications: number;
	/** Drafts never submitted: they live only on this device. */
	drafts: number;
}

export async function unsentWork(db: DalaDatabase): Promise<Unsent> {
	const pending = await db.outbox.filter(isPending).toArray();
	return {
		applications: new Set(pending.map((entry) => entry.applicationId)).size,
		drafts: await db.drafts.count()
	};
}

/**
 * Signs the person out of this device: the server ends the session and unbinds the device
 * when it can be reached, and then everything of the person is removed from the device
 * (db/wipe.ts), whatever the network did. Offline, the tokens go with everything else,
 * so nobody can use them from here, and the session runs out on the server by itself.
 * Resolves once the device is empty; the page then starts afresh.
 */
export async function signOut(db: DalaDatabase, options: HttpTransportOptions = {}): Promise<void> {
	if (await readSession(db)) {
		const device = await deviceIdentity(db);
		const call = signedCalls(device, { ...options, session: sessionTokens(db, device, options) });
		await call(v.unknown(), 'POST', '/api/accounts/session/sign-out', await gzip('{}')).catch(
			() => {}
		);
	}
	await wipeDevice(db);
}
