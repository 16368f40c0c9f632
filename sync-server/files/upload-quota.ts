/**
 * How many uploads a device may have started and not finished, and how many bytes they
 * may declare: an unfinished upload holds disk for as long as UNFINISHED_UPLOAD_MS, so
 * without a bound one device could fill the store. The app sends one file at a time, so a
 * device that honestly reaches the bound has abandoned uploads (data cleared mid-upload).
 */
import { randomBytes } from 'node:crypto';
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/open';
import { unfinishedUploads } from '../db/schema';
import { UNFINISHED_UPLOAD_MS } from './store';

export interface UploadQuota {
	count: number;
	bytes: number;
}

/** A new tus upload id: 128 random bits as hex, as tus's own naming makes them. */
export function newUploadId(): string {
	return randomBytes(16).toString('hex');
}

/** Whether `id` has the shape newUploadId gives: anything else names no upload. */
export function isUploadId(id: string): boolean {
	return /^[0-9a-f]{32}$/.test(id);
}

/** Rows younger than this count; older ones are swept with their uploads. */
const alive = sql`now() - ${UNFINISHED_UPLOAD_MS} * interval '1 millisecond'`;

/**
 * Records that `deviceId` starts upload `id` of `size` bytes, if that keeps it within
 * `quota`; false (nothing recorded) when it would not. One device's reservations are
 * taken one at a time (a transaction lock on the device), so two started at once cannot
 * both take the last place.
 */
export async function reserveUpload(
	db: Database,
	quota: UploadQuota,
	upload: { id: string; deviceId: string; size: number }
): Promise<boolean> {
	return db.transaction(async (tx) => {
		await tx.execute(
			sql`select pg_advisory_xact_lock(hashtextextended(${`uploads:${upload.deviceId}`}, 0))`
		);
		const [held] = await tx
			.select({
				count: sql<number>`count(*)::int`,
				bytes: sql<string>`coalesce(sum(${unfinishedUploads.size}), 0)::text`
			})
			.from(unfinishedUploads)
			.where(
				and(eq(unfinishedUploads.deviceId, upload.deviceId), gt(unfinishedUploads.createdAt, alive))
			);
		const count = Number(held?.count ?? 0);
		const bytes = Number(held?.bytes ?? 0);
		if (count + 1 > quota.count || bytes + upload.size > quota.bytes) return false;
		await tx.insert(unfinishedUploads).values(upload);
		return true;
	});
}

/** The upload `id` finished, was refused, terminated or never created: it no longer counts. */
export async function releaseUpload(db: Database, id: string): Promise<void> {
	await db.delete(unfinishedUploads).where(eq(unfinishedUploads.id, id));
}

/** Forgets reservations as old as the uploads the store sweeps; resolves to how many. */
export async function sweepUploadReservations(db: Database): Promise<number> {
	const deleted = await db
		.delete(unfinishedUploads)
		.where(lt(unfinishedUploads.createdAt, alive))
		.returning({ id: unfinishedUploads.id });
	return deleted.length;
}
