import { createHash } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { LINK_CODE_ALPHABET, LINK_CODE_TTL_MS } from '../../shared/protocol';
import type { Database, Transaction } from '../db/open';
import { applications, devices, feedMove, files, linkOffers } from '../db/schema';

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

/** Offers to link another device to the owner of `deviceId`; the person types the code there. */
export async function offerLink(db: Database, deviceId: string): Promise<LinkOffer> {
	const code = newLinkCode();
	// Codes are worth nothing once expired; a day later nobody needs to see one either.
	await db.delete(linkOffers).where(sql`${linkOffers.expiresAt} < now() - interval '1 day'`);
	// The database's clock, not this process's: every server then agrees when a code expires.
	const [row] = await db
		.insert(linkOffers)
		.values({
			codeHash: hashOf(code),
			offeredBy: deviceId,
			expiresAt: sql`now() + ${LINK_CODE_TTL_MS} * interval '1 millisecond'`
		})
		.returning({ expiresAt: linkOffers.expiresAt });
	if (!row) throw new Error('the link offer was not stored');
	return { code, expiresAt: row.expiresAt };
}

export type LinkOutcome = { status: 'linked'; devices: number } | { status: 'invalid_code' };

/**
 * The device `deviceId` accepts a code: its owner, with every device and application it
 * has, joins the owner of the device that offered the code. One transaction; the code
 * works once.
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
	code: string
): Promise<LinkOutcome> {
	return db.transaction(async (tx) => {
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

		const owners = await tx
			.select({ id: devices.id, ownerId: devices.ownerId })
			.from(devices)
			.where(inArray(devices.id, [deviceId, offer.offeredBy]));
		const from = owners.find((d) => d.id === deviceId)?.ownerId;
		const to = owners.find((d) => d.id === offer.offeredBy)?.ownerId;
		if (!from || !to) throw new Error('a linking device is not registered');

		await joinOwner(tx, from, to);
		const count = await tx.$count(devices, eq(devices.ownerId, to));
		return { status: 'linked', devices: count };
	});
}

/**
 * Moves everything of owner `from` (devices, applications, files) to owner `to`, inside
 * `tx`: linking by code, and a citizen's first sign-in on a device (accounts/), join
 * owners the same way.
 */
export async function joinOwner(tx: Transaction, from: string, to: string): Promise<void> {
	if (from === to) return;
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
