import type { DalaDatabase } from '../db/database';

/**
 * How long a photo stays on the device after the server has it and the application it
 * belongs to was received: long enough to see it on the application for a while, short
 * enough that a kiosk photographing two documents for fifty people a day (≈ 20 MB a day)
 * does not fill a cheap tablet.
 */
export const KEEP_DELIVERED_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Deletes the photos the server verified whose application it received, once older than
 * KEEP_DELIVERED_MS. A waiting or refused photo is never deleted: the person's evidence
 * stays until the server holds it. Without a copy the app shows the photo as kept on the
 * server, and a correction naming it needs no upload (the server has it).
 */
export async function pruneDeliveredPhotos(db: DalaDatabase, now = Date.now()): Promise<number> {
	return db.transaction('rw', db.files, db.mirror, async () => {
		const old = await db.files
			.where('state')
			.equals('uploaded')
			.filter((file) => now - file.createdAt > KEEP_DELIVERED_MS)
			.toArray();
		const received = await db.mirror.bulkGet(old.map((file) => file.draftId));
		const gone = old.filter((_, i) => received[i] !== undefined).map((file) => file.id);
		await db.files.bulkDelete(gone);
		return gone.length;
	});
}
