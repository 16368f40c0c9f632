/**
 * A position in one owner's change feed: the (txid, feed_seq) of the last change given out,
 * and the owner whose feed it is. Opaque to clients (base64url), so its contents
 * can change without a new protocol. Both numbers stay decimal strings: xid8 and bigint
 * can exceed Number.MAX_SAFE_INTEGER.
 */
export interface FeedPosition {
	txid: string;
	seq: string;
}

/** Before every change: txid 0 is never assigned to a transaction. */
export const FEED_START: FeedPosition = { txid: '0', seq: '0' };

const MAX_XID8 = 2n ** 64n - 1n;
const MAX_BIGINT = 2n ** 63n - 1n;

/** The cursor a device of `ownerId` sends back to continue after `position`. */
export function encodeCursor(position: FeedPosition, ownerId: string): string {
	return Buffer.from(`${position.txid}.${position.seq}.${ownerId}`).toString('base64url');
}

/**
 * The position a cursor names, or null for anything this server did not make for this
 * owner. A cursor is bound to the owner whose feed it walks: one owner's position means
 * nothing in another's feed, and a device handed someone else's cursor (a copied
 * database, a bug), or one from before it was linked to another owner, must start over
 * rather than silently skip or repeat. Only the
 * canonical encoding is accepted, and numbers must fit their columns, so a forged cursor
 * becomes a 400 here rather than a database error later.
 */
export function decodeCursor(cursor: string, ownerId: string): FeedPosition | null {
	const text = Buffer.from(cursor, 'base64url').toString('latin1');
	const match = /^(0|[1-9]\d{0,19})\.(0|[1-9]\d{0,18})\.([A-Za-z0-9_-]+)$/.exec(text);
	if (!match) return null;
	const [, txid = '', seq = '', owner = ''] = match;
	if (owner !== ownerId) return null;
	if (BigInt(txid) > MAX_XID8 || BigInt(seq) > MAX_BIGINT) return null;
	const position = { txid, seq };
	return encodeCursor(position, ownerId) === cursor ? position : null;
}
