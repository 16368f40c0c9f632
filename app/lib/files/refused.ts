import { FieldErrorCode, type FieldErrors } from '../../../shared/errors';
import type { ServiceDefinition } from '../../../shared/services/definition';
import type { Answers } from '../../../shared/services/validate';
import type { DalaDatabase } from '../db/database';
import { photoStates } from './photo-states';

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
	const states = await photoStates(
		db,
		photos.map((f) => [f.name, answers[f.name]!] as const)
	);
	return Object.fromEntries(
		states.filter((a) => a.state === 'refused').map((a) => [a.field, FieldErrorCode.fileRefused])
	);
}
