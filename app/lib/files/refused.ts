import { FieldErrorCode, type FieldErrors } from '../../../shared/errors';
import type { ServiceDefinition } from '../../../shared/services/definition';
import type { Answers } from '../../../shared/services/validate';
import type { DalaDatabase } from '../db/database';

/**
 * The photo answers whose file the server refused for good (every copy this device holds
 * is `refused`): field → `file_refused`. For the form to ask for another photo before
 * the person sends, e.g. in a draft brought back by "Correct and send again" after the
 * sync engine refused the application for that photo (app/lib/sync/attachments.ts).
 */
export async function refusedPhotos(
	db: DalaDatabase,
	service: ServiceDefinition,
	answers: Answers
): Promise<FieldErrors> {
	const photos = service.fields.filter((f) => f.kind === 'photo' && answers[f.name]);
	if (photos.length === 0) return {};
	const rows = await db.files
		.where('sha256')
		.anyOf(photos.map((f) => answers[f.name]!))
		.toArray();
	const errors: FieldErrors = {};
	for (const field of photos) {
		const copies = rows.filter((row) => row.sha256 === answers[field.name]);
		if (copies.length > 0 && copies.every((row) => row.state === 'refused')) {
			errors[field.name] = FieldErrorCode.fileRefused;
		}
	}
	return errors;
}
