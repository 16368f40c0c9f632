import type { FieldErrorCode, RejectCode } from '../../../shared/errors';
import type { FieldDefinition } from '../../../shared/services/definition';
import { m } from '../paraglide/messages';
import { localized } from './locale.svelte';

/** What is wrong with one answer, in the person's language. */
export function fieldErrorMessage(code: FieldErrorCode, field: FieldDefinition): string {
	const label = localized(field.label);
	switch (code) {
		case 'required':
			return field.kind === 'choice' ? m.error_choose({ label }) : m.error_required({ label });
		case 'too_long':
			return m.error_too_long({ label, max: field.kind === 'text' ? field.maxLength : 0 });
		case 'invalid_iin':
			return m.error_invalid_iin();
		case 'invalid_phone':
			return m.error_invalid_phone();
		case 'invalid_choice':
			return m.error_choose({ label });
		case 'invalid_type':
			return m.error_invalid_type({ label });
	}
}

/** Why the server refused a submission or a correction. */
export function rejectionMessage(code: RejectCode | 'refused'): string {
	switch (code) {
		case 'invalid_answers':
			return m.refused_invalid_answers();
		case 'unknown_service':
		case 'unsupported_service_version':
			return m.refused_service_unavailable();
		case 'not_found':
			return m.refused_not_found();
		case 'application_closed':
			return m.refused_closed();
		case 'application_id_taken':
		case 'refused':
			return m.refused_other();
	}
}
