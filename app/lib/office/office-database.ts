import Dexie, { type EntityTable } from 'dexie';
import { deviceIdOf, generateDeviceKey } from '../../../shared/device-signature';
import type { Session } from '../../../shared/session';
import type { DeviceIdentity } from '../db/database';

/**
 * What the office keeps in this browser: a device key of its own and the staff session.
 * A database apart from the citizen's (`dala`), so a staff session never reaches the
 * citizen's sync code, a citizen's sign-out never ends a reviewer's, and a computer that
 * only ever opened the office holds nothing of the citizen's app.
 */
type OfficeMeta = { key: 'device'; value: DeviceIdentity } | { key: 'session'; value: Session };

const officeDb = new Dexie('dala-office') as Dexie & { meta: EntityTable<OfficeMeta, 'key'> };
officeDb.version(1).stores({ meta: 'key' });

async function read<K extends OfficeMeta['key']>(key: K) {
	const row = await officeDb.meta.get(key);
	return row?.value as Extract<OfficeMeta, { key: K }>['value'] | undefined;
}

/** This browser's office device, made on first use; its private key cannot be read out. */
export async function officeDevice(): Promise<DeviceIdentity> {
	const existing = await read('device');
	if (existing) return existing;
	const { privateKey, publicKey } = await generateDeviceKey();
	const made: DeviceIdentity = { id: await deviceIdOf(publicKey), privateKey, publicKey };
	// Two tabs may race on first start; the first key stored wins and both use it.
	return officeDb.transaction('rw', officeDb.meta, async () => {
		const stored = await read('device');
		if (stored) return stored;
		await officeDb.meta.put({ key: 'device', value: made });
		return made;
	});
}

export const readStaffSession = (): Promise<Session | undefined> => read('session');

export async function keepStaffSession(session: Session): Promise<void> {
	await officeDb.meta.put({ key: 'session', value: session });
}

/** Forgets the session with this access token; one signed in meanwhile stays. */
export async function forgetStaffSession(accessToken?: string): Promise<void> {
	await officeDb.transaction('rw', officeDb.meta, async () => {
		const stored = await read('session');
		if (stored && (accessToken === undefined || stored.accessToken === accessToken)) {
			await officeDb.meta.delete('session');
		}
	});
}
