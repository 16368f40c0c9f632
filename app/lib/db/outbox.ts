import { v7 as uuidv7 } from 'uuid';
import type { Mutation } from '../../../shared/protocol';
import type { DalaDatabase, OutboxEntry } from './database';

/** True while an entry still has to be sent: refused and conflicting ones are answered. */
export function isPending(entry: OutboxEntry): boolean {
	return !entry.rejection && !entry.conflict;
}

/** Mutations still to send, oldest first. Answered ones stay for the person to see. */
export async function pendingMutations(db: DalaDatabase, limit: number): Promise<OutboxEntry[]> {
	return db.outbox.orderBy('seq').filter(isPending).limit(limit).toArray();
}

/** The wire form of an outbox entry. */
export function toMutation(entry: OutboxEntry): Mutation {
	const { seq, createdAt: _c, rejection: _r, conflict: _k, ...mutation } = entry;
	if (seq === undefined) throw new Error('outbox entry has no sequence number');
	return { ...mutation, seq };
}

/**
 * Settles a correction the server answered with `conflict`: the person either drops it,
 * or makes it again on top of the server's current version (a new mutation, never an
 * edit of the queued one).
 */
export async function resolveConflict(
	db: DalaDatabase,
	seq: number,
	choice: 'discard' | 'reapply'
): Promise<void> {
	await db.transaction('rw', db.outbox, async () => {
		const entry = await db.outbox.get(seq);
		if (!entry?.conflict || entry.type !== 'application.amend') return;
		await db.outbox.delete(seq);
		if (choice === 'reapply') {
			await db.outbox.add({
				id: uuidv7(),
				type: 'application.amend',
				applicationId: entry.applicationId,
				baseVersion: entry.conflict.version,
				answers: entry.answers,
				createdAt: Date.now()
			});
		}
	});
}
