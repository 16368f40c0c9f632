import { deviceIdOf, generateDeviceKey } from '../../../shared/device-signature';
import { getMeta, setMeta, type DalaDatabase, type DeviceIdentity } from '../db/database';

/**
 * The device's identity, made on first use and kept in IndexedDB for the life of the
 * database. The private key is not extractable: script can sign with it, never read it.
 */
export async function deviceIdentity(db: DalaDatabase): Promise<DeviceIdentity> {
	const existing = await getMeta(db, 'device');
	if (existing) return existing;
	// Made outside the transaction: WebCrypto is asynchronous and would commit it early.
	const { privateKey, publicKey } = await generateDeviceKey();
	const made: DeviceIdentity = { id: await deviceIdOf(publicKey), privateKey, publicKey };
	// Two tabs may race on first start; the first key stored wins and both use it.
	return db.transaction('rw', db.meta, async () => {
		const stored = await getMeta(db, 'device');
		if (stored) return stored;
		await setMeta(db, 'device', made);
		return made;
	});
}
