import type { LinkAcceptResponse } from '../../../shared/protocol';
import type { DalaDatabase } from '../db/database';
import type { SyncTransport } from './transport';

/**
 * Joins this device to the owner of the device that offered `code`, and forgets the pull
 * cursor, which named the old owner. Any tab may call it: it is one signed request and one
 * small transaction, neither of which touches the outbox, so it cannot disturb the leading
 * tab's sync. If that tab stores a stale cursor after this (a pull that was in flight),
 * the server refuses it as `invalid_cursor` and the engine starts over, so the worst case
 * is one round trip more. Throws a SyncError when the server refuses or cannot be reached.
 */
export async function acceptLinkCode(
	db: DalaDatabase,
	transport: SyncTransport,
	code: string
): Promise<LinkAcceptResponse> {
	const linked = await transport.acceptLink(code);
	await db.transaction('rw', db.meta, () => db.meta.delete('cursor'));
	return linked;
}
