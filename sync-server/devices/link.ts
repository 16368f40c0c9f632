import { createHash } from 'node:crypto';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { LINK_CODE_ALPHABET, LINK_CODE_TTL_MS } from '../../shared/protocol';
import { inOwnerTransaction, lockOwners, OWNER_ATTEMPTS, OwnersMoved } from '../db/lock-order';
import type { Database, Transaction } from '../db/open';
import { accounts, applications, devices, feedMove, files, linkOffers } from '../db/schema';

/** What a device shows the person: the code and when it stops working. */
export interface LinkOffer {
	code: string;
	expiresAt: Date;
}

/**
 * Ten characters of Crockford base32, 50 bits from the platform's CSPRNG: a code lives
 * ten minutes, and guessing one in that time would take ~10^15 tries. A byte's low five
 * bits pick a character, uniformly, since 256 is a multiple of 32.
 */
function newLinkCode(): string {
	const chars = [...crypto.getRandomValues(new Uint8Array(10))].map(
		(byte) => LINK_CODE_ALPHABET[byte & 31]
	);
	return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/** What the table keeps of a code, in the canonical form `LinkCode` parses to. */
function hashOf(code: string): string {
	return createHash('sha256').update(code).digest('hex');
}

/** The owner already has as many live codes as it may; nothing was stored. */
export class TooManyLinkCodes extends Error {
	name = 'TooManyLinkCodes';
	constructor(
		/** Until the oldest live code expires, in whole seconds. */
		readonly retryAfterSeconds: number
	) {
		super('too many live link codes');
	}
}

/**
 * Offers to link another device to the owner of `deviceId`; the person types the code
 * there. An owner has at most `maxLive` codes alive (unused, unexpired) at once, since
 * each is a key to its applications: past that, throws TooManyLinkCodes. A device signed
 * in to an account offers none (SignedInDevice): no accept of it could succeed.
 */
export async function offerLink(
	db: Database,
	deviceId: string,
	maxLive = Infinity
): Promise<LinkOffer> {
	const code = newLinkCode();
	// Codes are worth nothing once expired; a day later nobody needs to see one either.
	await db.delete(linkOffers).where(sql`${linkOffers.expiresAt} < now() - interval '1 day'`);
	return db.transaction(async (tx) => {
		const [device] = await tx
			.select({ ownerId: devices.ownerId })
			.from(devices)
			.where(eq(devices.id, deviceId));
		if (!device) throw new Error('an offering device is not registered');
		if (await heldByAccount(tx, device.ownerId)) throw new SignedInDevice();
		// One offer at a time per owner, so two at once cannot both take the last place.
		await tx.execute(
			sql`select pg_advisory_xact_lock(hashtextextended(${`link_offers:${device.ownerId}`}, 0))`
		);
		const [live] = await tx
			.select({
				count: sql<number>`count(*)::int`,
				wait: sql<number>`greatest(1, ceil(extract(epoch from min(${linkOffers.expiresAt}) - now())))::int`
			})
			.from(linkOffers)
			.where(
				and(
					inArray(
						linkOffers.offeredBy,
						tx.select({ id: devices.id }).from(devices).where(eq(devices.ownerId, device.ownerId))
					),
					isNull(linkOffers.acceptedBy),
					sql`${linkOffers.expiresAt} > now()`
				)
			);
		if (live && Number(live.count) >= maxLive) throw new TooManyLinkCodes(Number(live.wait));
		// The database's clock, not this process's: every server then agrees when a code expires.
		const [row] = await tx
			.insert(linkOffers)
			.values({
				codeHash: hashOf(code),
				offeredBy: deviceId,
				expiresAt: sql`now() + ${LINK_CODE_TTL_MS} * interval '1 millisecond'`
			})
			.returning({ expiresAt: linkOffers.expiresAt });
		if (!row) throw new Error('the link offer was not stored');
		return { code, expiresAt: row.expiresAt };
	});
}

export type LinkOutcome =
	| { status: 'linked'; devices: number }
	| { status: 'invalid_code' }
	| { status: 'busy' }
	/** One of the devices belongs to an account: that person signs in on the other instead. */
	| { status: 'signed_in' };

/**
 * Whether `ownerId` is an account's: its devices are a person's, signed in, and only a
 * sign-in may add a device to them (a code shown by a stranger must not).
 */
async function heldByAccount(tx: Transaction | Database, ownerId: string): Promise<boolean> {
	return (await tx.$count(accounts, eq(accounts.ownerId, ownerId))) > 0;
}

/**
 * Refused (the device is an account's): a code is a key to what its owner has, and
 * linking would move an account's devices and applications to whoever showed it.
 */
export class SignedInDevice extends Error {
	name = 'SignedInDevice';
	constructor() {
		super('the device belongs to an account');
	}
}

/**
 * The device `deviceId` accepts a code: its owner, with every device and application it
 * has, joins the owner of the device that offered the code. One transaction; the code
 * works once. Only devices that are nobody's account link this way: when either is an
 * account's, nothing changes and the answer is `signed_in`.
 *
 * Links are serialized per owner (db/lock-order.ts): both owners are locked and then read
 * again, since another link or a sign-in may have moved one of these devices between the
 * first read and the lock. If both devices are still under owners held, the link goes on
 * with what it read the second time (a crossed accept finds the devices already together);
 * if one moved to an owner not held, the transaction rolls back (the code is not used) and
 * starts over, up to `attempts` times, then answers `busy`. Without this, two crossed
 * accepts each moved one device to the other's old owner, both answered "linked", and the
 * devices stayed apart.
 *
 * Applications move to the end of the new owner's feed, so devices that were already
 * there pull them after their cursors; the moved devices' cursors name the old owner and
 * are refused, so they pull the new owner's feed from the start. Every device of the old
 * owner is locked first: a push from one of them holds its device row for its whole
 * transaction, so it either commits before the move (and its applications move) or reads
 * the new owner when it gets the lock (and files them there). Nothing is stranded.
 */
export async function acceptLink(
	db: Database,
	deviceId: string,
	code: string,
	attempts = OWNER_ATTEMPTS
): Promise<LinkOutcome> {
	try {
		return await inOwnerTransaction(db, (tx) => linkOnce(tx, deviceId, code), attempts);
	} catch (error) {
		if (error instanceof OwnersMoved) return { status: 'busy' };
		if (error instanceof SignedInDevice) return { status: 'signed_in' };
		throw error;
	}
}

/** The owners of the accepting and the offering device, as of this statement. */
async function ownersOf(tx: Transaction, deviceId: string, offeredBy: string) {
	const rows = await tx
		.select({ id: devices.id, ownerId: devices.ownerId })
		.from(devices)
		.where(inArray(devices.id, [deviceId, offeredBy]));
	const from = rows.find((d) => d.id === deviceId)?.ownerId;
	const to = rows.find((d) => d.id === offeredBy)?.ownerId;
	if (!from || !to) throw new Error('a linking device is not registered');
	return { from, to };
}

/** One try of acceptLink, inside its transaction; throws OwnersMoved to try again. */
async function linkOnce(tx: Transaction, deviceId: string, code: string): Promise<LinkOutcome> {
	const [offer] = await tx
		.update(linkOffers)
		.set({ acceptedBy: deviceId })
		.where(
			and(
				eq(linkOffers.codeHash, hashOf(code)),
				sql`${linkOffers.acceptedBy} is null`,
				sql`${linkOffers.expiresAt} > now()`
			)
		)
		.returning({ offeredBy: linkOffers.offeredBy });
	if (!offer) return { status: 'invalid_code' };

	const read = await ownersOf(tx, deviceId, offer.offeredBy);
	const held = new Set([read.from, read.to]);
	await lockOwners(tx, [...held]);
	// A new statement, so a new snapshot in READ COMMITTED: it sees every link that held
	// one of these locks before us, and no link can move these owners' devices from now on.
	const { from, to } = await ownersOf(tx, deviceId, offer.offeredBy);
	if (!held.has(from) || !held.has(to)) throw new OwnersMoved();
	// Refused after the locks, so a sign-in that committed meanwhile is seen. The code
	// stays unused: the transaction rolls back.
	if ((await heldByAccount(tx, from)) || (await heldByAccount(tx, to))) {
		throw new SignedInDevice();
	}

	await joinOwner(tx, from, to);
	const count = await tx.$count(devices, eq(devices.ownerId, to));
	return { status: 'linked', devices: count };
}

/**
 * Moves everything of owner `from` (devices, applications, files) to owner `to`, in the
 * caller's transaction. Used by a link code and by a citizen signing in on a device
 * (accounts/citizen.ts). The caller already holds both owners' link locks, taken before
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
