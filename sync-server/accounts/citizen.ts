import { randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { SIGN_IN_CODE_TRIES, SIGN_IN_CODE_TTL_MS, type Session } from '../../shared/accounts';
import { inOwnerTransaction, lockIin, lockOwners, OwnersMoved } from '../db/lock-order';
import type { Database, Transaction } from '../db/open';
import { accounts, devices, signInCodes } from '../db/schema';
import { joinOwner } from '../devices/join-owner';
import { appendAudit, AuditAction } from './audit';
import type { SmsSender } from './sms-sender';
import type { PhoneRegister } from './phone-register';
import {
	DEFAULT_SESSION_LIFETIMES,
	openSession,
	replaceDeviceSessions,
	type SessionLifetimes
} from './sessions';
import { hashOf, newSixDigitCode } from './tokens';

/**
 * The code's hash is salted with its challenge id, so equal codes of two people hash
 * differently. Six digits are a million guesses offline: the hash protects a copy of the
 * table only for the five minutes a code lives, which is all it needs to.
 */
const codeHash = (challengeId: string, code: string) => hashOf(`${challengeId}:${code}`);

export type CodeOutcome =
	| { status: 'sent'; challengeId: string; expiresAt: Date }
	| { status: 'not_registered' }
	/** The register could not answer (down, slow, refused us): nothing is known, nothing sent. */
	| { status: 'register_unavailable' }
	| { status: 'not_sent' };

/**
 * Sends a sign-in code to `phone` for `iin`, if the register ties them. The code is
 * stored (hashed) and audited in one transaction before it is sent; a code the gateway
 * refused is killed at once, so no live code exists that nobody received.
 */
export async function sendCode(
	db: Database,
	{ sender, register }: { sender: SmsSender; register: PhoneRegister },
	deviceId: string,
	iin: string,
	phone: string
): Promise<CodeOutcome> {
	let registered: boolean;
	try {
		registered = await register.isRegistered(iin, phone);
	} catch {
		return { status: 'register_unavailable' };
	}
	if (!registered) {
		// In a transaction of its own: the audit lock lasts until its commit (audit.ts).
		await db.transaction((tx) =>
			appendAudit(tx, { action: AuditAction.codeRefused, device: deviceId })
		);
		return { status: 'not_registered' };
	}
	const challengeId = randomUUID();
	const code = newSixDigitCode();
	const expiresAt = await db.transaction(async (tx) => {
		// One live code per device: asking again replaces the last one.
		await tx
			.update(signInCodes)
			.set({ usedAt: sql`now()` })
			.where(and(eq(signInCodes.deviceId, deviceId), isNull(signInCodes.usedAt)));
		// Codes are worth nothing once expired; a day later nobody needs their rows either.
		await tx.delete(signInCodes).where(sql`${signInCodes.expiresAt} < now() - interval '1 day'`);
		const [row] = await tx
			.insert(signInCodes)
			.values({
				id: challengeId,
				deviceId,
				iin,
				phone,
				codeHash: codeHash(challengeId, code),
				expiresAt: sql`now() + ${SIGN_IN_CODE_TTL_MS} * interval '1 millisecond'`
			})
			.returning({ expiresAt: signInCodes.expiresAt });
		if (!row) throw new Error('the code was not stored');
		await appendAudit(tx, { action: AuditAction.codeSent, device: deviceId, subject: challengeId });
		return row.expiresAt;
	});
	try {
		await sender.send(phone, { kind: 'sign_in_code', code });
	} catch {
		await db
			.update(signInCodes)
			.set({ usedAt: sql`now()` })
			.where(eq(signInCodes.id, challengeId));
		return { status: 'not_sent' };
	}
	return { status: 'sent', challengeId, expiresAt };
}

export type ConfirmOutcome =
	| { status: 'signed_in'; session: Session }
	| { status: 'wrong_code'; triesLeft: number }
	/** Unknown, another device's, used, expired or out of tries. */
	| { status: 'code_expired' };

/**
 * Confirms a code on the device that asked for it: the account of the IIN is found or
 * made, this device is signed in to it, and the session opened, in one transaction,
 * started over when a link moved the device meanwhile (db/lock-order.ts). A wrong code
 * counts a try and is audited, in a transaction that commits; so is a try of this
 * device's own challenge once it is spent.
 */
export async function confirmCode(
	db: Database,
	deviceId: string,
	challengeId: string,
	code: string,
	lifetimes: SessionLifetimes = DEFAULT_SESSION_LIFETIMES
): Promise<ConfirmOutcome> {
	return inOwnerTransaction(db, async (tx): Promise<ConfirmOutcome> => {
		const [row] = await tx
			.select({
				iin: signInCodes.iin,
				phone: signInCodes.phone,
				deviceId: signInCodes.deviceId,
				codeHash: signInCodes.codeHash,
				attempts: signInCodes.attempts,
				live: sql<boolean>`${signInCodes.usedAt} is null and ${signInCodes.expiresAt} > now()`
			})
			.from(signInCodes)
			.where(eq(signInCodes.id, challengeId))
			.for('update');
		const failed = () =>
			appendAudit(tx, {
				action: AuditAction.citizenSignInFailed,
				device: deviceId,
				subject: challengeId
			});
		// A challenge that is unknown, or another device's, is nothing this device could have
		// tried honestly: refused without an audit row, or a flood of made-up ids would write
		// one undeletable row each. The route's limits bound such guessing.
		if (!row || row.deviceId !== deviceId) return { status: 'code_expired' };
		if (!row.live || row.attempts >= SIGN_IN_CODE_TRIES) {
			await failed();
			return { status: 'code_expired' };
		}
		const right = timingSafeEqual(
			Buffer.from(codeHash(challengeId, code)),
			Buffer.from(row.codeHash)
		);
		if (!right) {
			const attempts = row.attempts + 1;
			await tx.update(signInCodes).set({ attempts }).where(eq(signInCodes.id, challengeId));
			await failed();
			return { status: 'wrong_code', triesLeft: SIGN_IN_CODE_TRIES - attempts };
		}
		await tx
			.update(signInCodes)
			.set({ usedAt: sql`now()` })
			.where(eq(signInCodes.id, challengeId));
		const accountId = await bindDevice(tx, deviceId, row.iin);
		// The phone the code reached is the person's: the office's news goes there.
		if (row.phone)
			await tx.update(accounts).set({ phone: row.phone }).where(eq(accounts.id, accountId));
		const session = await openSession(tx, accountId, deviceId, lifetimes);
		await appendAudit(tx, {
			action: AuditAction.citizenSignedIn,
			actor: accountId,
			device: deviceId,
			subject: accountId
		});
		return { status: 'signed_in', session };
	});
}

/**
 * Signs `deviceId` in to the citizen account of `iin`, making the account on first
 * sign-in; its id. The device takes the account's owner, so it sees the person's
 * applications: "linking by code" becomes "sign in on the second device".
 *
 * What the device had before comes along only when it was nobody's yet (an owner no
 * account holds: applications queued before the first sign-in, devices linked by code).
 * A device that was signed in to someone else (a shared family phone) moves alone: the
 * other person's applications stay theirs, and its sessions of them end.
 *
 * Locks in the one order (db/lock-order.ts): the IIN, so two first sign-ins of one person
 * on two devices take turns and the second finds the account the first made; then the
 * device's owner and the account's; then the device row. A link that moved the device
 * between the first read and the locks makes the transaction start over (OwnersMoved).
 */
async function bindDevice(tx: Transaction, deviceId: string, iin: string): Promise<string> {
	await lockIin(tx, iin);
	const [existing] = await tx
		.select({ id: accounts.id, ownerId: accounts.ownerId })
		.from(accounts)
		.where(eq(accounts.iin, iin));
	const [read] = await tx
		.select({ ownerId: devices.ownerId })
		.from(devices)
		.where(eq(devices.id, deviceId));
	if (!read) throw new Error(`device ${deviceId} signed a request but is not registered`);
	await lockOwners(tx, [read.ownerId, existing?.ownerId]);
	const [device] = await tx
		.select({ ownerId: devices.ownerId })
		.from(devices)
		.where(eq(devices.id, deviceId))
		.for('update');
	if (device?.ownerId !== read.ownerId) throw new OwnersMoved();
	const [holder] = await tx
		.select({ id: accounts.id })
		.from(accounts)
		.where(eq(accounts.ownerId, device.ownerId));

	if (!existing) {
		// A first sign-in: the account takes over the device's owner if nobody holds it.
		const ownerId = holder ? randomUUID() : device.ownerId;
		const [created] = await tx
			.insert(accounts)
			.values({ role: 'citizen', iin, ownerId })
			.returning({ id: accounts.id });
		if (!created) throw new Error('the account was not created');
		if (holder) await moveDeviceAlone(tx, deviceId, ownerId, created.id);
		return created.id;
	}
	if (existing.ownerId === device.ownerId) return existing.id;
	if (holder) {
		await moveDeviceAlone(tx, deviceId, existing.ownerId, existing.id);
	} else {
		await joinOwner(tx, device.ownerId, existing.ownerId);
		await appendAudit(tx, {
			action: AuditAction.deviceBound,
			actor: existing.id,
			device: deviceId,
			subject: existing.id
		});
	}
	return existing.id;
}

async function moveDeviceAlone(
	tx: Transaction,
	deviceId: string,
	ownerId: string,
	accountId: string
) {
	await tx.update(devices).set({ ownerId }).where(eq(devices.id, deviceId));
	await replaceDeviceSessions(tx, deviceId);
	await appendAudit(tx, {
		action: AuditAction.deviceBound,
		actor: accountId,
		device: deviceId,
		subject: accountId
	});
}
