import { deviceIdOf, generateDeviceKey } from '../../../shared/device-signature';
import type { DevicePublicKey } from '../../../shared/protocol';
import { getMeta, setMeta, type DalaDatabase } from '../db/database';

/** This device's identity: the key that signs its requests, and the id derived from it. */
export interface DeviceIdentity {
	id: string;
	privateKey: CryptoKey;
	publicKey: DevicePublicKey;
}

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
