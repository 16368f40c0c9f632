import { and, eq, inArray } from 'drizzle-orm';
import { lockOwners } from '../db/lock-order';
import type { Transaction } from '../db/open';
import { applications, devices, feedMove, files } from '../db/schema';

/**
 * Moves everything of owner `from` (devices, applications, files) to owner `to`, in the
 * caller's transaction. Used when a citizen signs in on a device that was nobody's
 * yet (accounts/citizen.ts), so what was queued there before comes along. The caller already holds both owners' link locks, taken before
 * any device row (db/lock-order.ts); taking them again here only holds them.
 */
export async function joinOwner(tx: Transaction, from: string, to: string): Promise<void> {
	if (from === to) return;
	await lockOwners(tx, [from, to]);
	// In id order, as every merge takes them, so two merges cannot deadlock on them.
	await tx
		.select({ id: devices.id })
		.from(devices)
		.where(eq(devices.ownerId, from))
		.orderBy(devices.id)
		.for('update');
	await tx.update(devices).set({ ownerId: to }).where(eq(devices.ownerId, from));
	await tx
		.update(applications)
		.set({ ownerId: to, ...feedMove })
		.where(eq(applications.ownerId, from));
	// Files go too. Where both owners had the same bytes, the joined owner's row is
	// kept (files are one row per owner and hash); the other copy stays in the store.
	await tx
		.delete(files)
		.where(
			and(
				eq(files.ownerId, from),
				inArray(
					files.sha256,
					tx.select({ sha256: files.sha256 }).from(files).where(eq(files.ownerId, to))
				)
			)
		);
	await tx.update(files).set({ ownerId: to }).where(eq(files.ownerId, from));
}
