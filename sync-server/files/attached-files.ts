import { and, eq, inArray } from 'drizzle-orm';
import { FieldErrorCode, type FieldErrors } from '../../shared/errors';
import type { ServiceDefinition } from '../../shared/services/definition';
import type { Answers } from '../../shared/services/validate';
import { files } from '../db/schema';
import type { Transaction } from '../db/open';

/** Answers of one submission or correction, with the service they were checked against. */
export interface Attaching {
	service: ServiceDefinition;
	/** Normalized by the shared rules: a photo answer is a lowercase SHA-256. */
	answers: Answers;
}

/**
 * For each item, the photo answers naming a file its owner does not have: field →
 * `file_missing`; an empty object when every file is there. A row in `files` exists only
 * once a file arrived whole and hashed to its name (sync-server/files/routes.ts), so a
 * row is the proof. One statement for the whole batch, and none when no answer names a
 * file, so the usual push pays nothing for this.
 *
 * Why refuse rather than accept and wait for the file: an application the office cannot
 * decide for want of a photo would sit as `received` with nothing telling the person.
 * The device sends a submission only after its files arrived, so an honest device never
 * meets this refusal except when a file it thinks arrived did not (another client's bug,
 * a restored store): then the person is shown the photo to attach again.
 */
export async function missingFiles(
	tx: Transaction,
	ownerId: string,
	items: readonly Attaching[]
): Promise<FieldErrors[]> {
	const named = items.map(({ service, answers }) =>
		service.fields.flatMap((field) =>
			field.kind === 'photo' && answers[field.name]
				? [{ field: field.name, sha256: answers[field.name]! }]
				: []
		)
	);
	const hashes = [...new Set(named.flat().map((n) => n.sha256))];
	if (hashes.length === 0) return items.map(() => ({}));
	const rows = await tx
		.select({ sha256: files.sha256 })
		.from(files)
		.where(and(eq(files.ownerId, ownerId), inArray(files.sha256, hashes)));
	const present = new Set(rows.map((row) => row.sha256));
	return named.map((photos) =>
		Object.fromEntries(
			photos.filter((p) => !present.has(p.sha256)).map((p) => [p.field, FieldErrorCode.fileMissing])
		)
	);
}
