import * as v from 'valibot';
import { DeviceList } from '../../../shared/accounts';
import type { DalaDatabase } from '../db/database';
import { deviceIdentity } from '../sync/device';
import { sessionTokens } from '../sync/session-tokens';
import { gzip, signedCalls, type HttpTransportOptions } from '../sync/transport';

export type AccountDevice = DeviceList['devices'][number];

/** Calls as the signed-in person on this device (the session shown, refreshed if need be). */
async function asPerson(db: DalaDatabase, options: HttpTransportOptions) {
	const device = await deviceIdentity(db);
	return signedCalls(device, { ...options, session: sessionTokens(db, device, options) });
}

/**
 * The devices signed in to the person's account, with when each last synced. Throws a
 * SyncError: `offline`, or `signed_out` when the session has ended.
 */
export async function accountDevices(
	db: DalaDatabase,
	options: HttpTransportOptions = {}
): Promise<AccountDevice[]> {
	const call = await asPerson(db, options);
	return (await call(DeviceList, 'GET', '/api/accounts/devices')).devices;
}

/**
 * Removes another device from the account (a lost phone): its sessions end, it no longer
 * sees the person's applications, and it deletes the person's data at its next contact.
 */
export async function removeDevice(
	db: DalaDatabase,
	id: string,
	options: HttpTransportOptions = {}
): Promise<void> {
	const call = await asPerson(db, options);
	await call(v.unknown(), 'POST', `/api/accounts/devices/${id}/revoke`, await gzip('{}'));
}
