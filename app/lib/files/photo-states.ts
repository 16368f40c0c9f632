/**
 * Where a photo answer's file stands, read from the copies this device holds. The sync
 * engine asks before it sends a mutation (app/lib/sync/attachments.ts), the form before
 * the person sends a draft (refused.ts): one reading, so both agree.
 */
import type { DalaDatabase, StoredFile } from '../db/database';

/** A photo answer, and where its file stands. */
export interface Attachment {
	field: string;
	sha256: string;
	/** `arrived` also when this device has no copy: it came from the server, or was never ours. */
	state: 'arrived' | 'waiting' | 'refused';
	/** The copy to send, when waiting. */
	file?: StoredFile;
}

/** Where each named photo's file stands, by the copies this device holds (field → SHA-256). */
export async function photoStates(
	db: DalaDatabase,
	named: readonly (readonly [field: string, sha256: string])[]
): Promise<Attachment[]> {
	const rows = await db.files
		.where('sha256')
		.anyOf(named.map(([, sha]) => sha))
		.toArray();
	return named.map(([field, sha256]) => {
		const copies = rows.filter((row) => row.sha256 === sha256);
		if (copies.length === 0 || copies.some((row) => row.state === 'uploaded')) {
			return { field, sha256, state: 'arrived' };
		}
		// The copy furthest along: a reload resumes it rather than starting another.
		const waiting = copies
			.filter((row) => row.state === 'waiting')
			.sort((a, b) => b.offset - a.offset || Number(!!b.uploadUrl) - Number(!!a.uploadUrl));
		return waiting[0]
			? { field, sha256, state: 'waiting', file: waiting[0] }
			: { field, sha256, state: 'refused' };
	});
}
