import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { lockOwners } from '../db/lock-order';
import type { Database } from '../db/open';
import { accounts, deviceSightings, devices, sessions } from '../db/schema';
import { appendAudit, AuditAction } from './audit';
import type { Actor } from './policy';

/**
 * An account's devices: those that share its owner (a citizen's), and those holding a
 * live session of it (staff do not move a device's owner when they sign in).
 */
function ofAccount(accountId: string, ownerId: string) {
	return or(
		eq(devices.ownerId, ownerId),
		inArray(
			devices.id,
			sql`(select ${sessions.deviceId} from ${sessions} where ${sessions.accountId} = ${accountId}
				and ${sessions.revokedAt} is null and ${sessions.refreshExpiresAt} > now())`
		)
	);
}

export async function accountOwner(db: Database, accountId: string) {
	const [row] = await db
		.select({ id: accounts.id, ownerId: accounts.ownerId })
		.from(accounts)
		.where(eq(accounts.id, accountId));
	return row;
}

/** The account's devices, oldest first, each with when it last spoke to the server (by the hour). */
export async function listDevices(db: Database, account: { id: string; ownerId: string }) {
	return db
		.select({ id: devices.id, createdAt: devices.createdAt, lastSeenAt: deviceSightings.seenAt })
		.from(devices)
		.leftJoin(deviceSightings, eq(deviceSightings.deviceId, devices.id))
		.where(ofAccount(account.id, account.ownerId))
		.orderBy(devices.createdAt);
}

/**
 * Signs `deviceId` out of `account` for good: its sessions of the account end, and if it
 * shared the account's owner it gets an empty owner of its own, so it no longer sees the
 * person's applications (they stay the person's). The device may still sync as nobody's,
 * like a new one; false when it was not the account's device.
 */
export async function revokeDevice(
	db: Database,
	by: Actor,
	account: { id: string; ownerId: string },
	deviceId: string
): Promise<boolean> {
	return db.transaction(async (tx) => {
		// The owner's link lock before the device row (db/lock-order.ts), as a link or a
		// sign-in that moves this device takes them.
		await lockOwners(tx, [account.ownerId]);
		const [device] = await tx
			.select({ ownerId: devices.ownerId })
			.from(devices)
			.where(and(eq(devices.id, deviceId), ofAccount(account.id, account.ownerId)))
			.for('update');
		if (!device) return false;
		if (device.ownerId === account.ownerId) {
			await tx.update(devices).set({ ownerId: randomUUID() }).where(eq(devices.id, deviceId));
		}
		await tx
			.update(sessions)
			.set({ revokedAt: sql`now()`, endedBy: 'revoked' })
			.where(
				and(
					eq(sessions.deviceId, deviceId),
					eq(sessions.accountId, account.id),
					isNull(sessions.revokedAt)
				)
			);
		await appendAudit(tx, {
			action: AuditAction.deviceRevoked,
			actor: by.accountId,
			device: by.deviceId,
			subject: deviceId
		});
		return true;
	});
}
