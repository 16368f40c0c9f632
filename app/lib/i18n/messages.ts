import { addDays, displayDate, todayInKazakhstan } from '../../../shared/dates';
import { FieldErrorCode, type RejectCode } from '../../../shared/errors';
import { displayTenge } from '../../../shared/money';
import type { FieldDefinition } from '../../../shared/services/definition';
import type { Rejection } from '../db/database';
import { m } from '../paraglide/messages';
import { localized } from './locale.svelte';

/** A field's bound as the person reads it: a number, an amount or a date. */
function bound(field: FieldDefinition, which: 'min' | 'max'): string {
	switch (field.kind) {
		case 'number':
			return String(field[which]);
		case 'money':
			return displayTenge(field[which]);
		case 'date': {
			const b = field[which];
			if (!b) return '';
			return displayDate('date' in b ? b.date : addDays(todayInKazakhstan(), b.daysFromToday));
		}
		default:
			return '';
	}
}

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
		case 'invalid_number':
			return m.error_invalid_number({ label });
		case 'invalid_amount':
			return m.error_invalid_amount({ label });
		case 'too_small':
			return m.error_too_small({ label, min: bound(field, 'min') });
		case 'too_large':
			return m.error_too_large({ label, max: bound(field, 'max') });
		case 'invalid_date':
			return m.error_invalid_date({ label });
		case 'date_in_future':
			return m.error_date_in_future({ label });
		case 'date_too_early':
			return m.error_date_too_early({ label, date: bound(field, 'min') });
		case 'date_too_late':
			return m.error_date_too_late({ label, date: bound(field, 'max') });
		case 'invalid_bin':
			return m.error_invalid_bin();
		case 'invalid_format':
			return m.error_invalid_format({ label });
		case 'forbidden_character':
			return m.error_forbidden_character({ label });
		case 'born_before_parent':
			return m.error_born_before_parent();
		case 'period_not_ended':
			return m.error_period_not_ended();
		case 'no_tax_rates':
			return m.error_no_tax_rates();
		case 'payroll_without_employees':
			return m.error_payroll_without_employees();
		case 'computed_mismatch':
			return m.error_computed_mismatch({ label });
		case 'end_before_start':
			return m.error_end_before_start({ label });
		case 'period_too_long':
			return m.error_period_too_long({ label });
		case 'file_missing':
			return m.error_file_missing({ label });
		case 'file_refused':
			return m.error_file_refused({ label });
	}
}

/** Why the server refused a submission or a correction, by its code. */
function rejectionMessage(code: RejectCode | 'refused'): string {
	switch (code) {
		case 'invalid_answers':
			return m.refused_invalid_answers();
		case 'unknown_service':
			return m.refused_service_unavailable();
		// Retired while queued: revising moves the answers to the new version (migrate-draft.ts).
		case 'unsupported_service_version':
			return m.refused_form_replaced();
		case 'not_found':
			return m.refused_not_found();
		case 'application_closed':
			return m.refused_closed();
		case 'application_id_taken':
		case 'refused':
			return m.refused_other();
	}
}

/**
 * Why a submission or a correction was refused: a photo the server would not take (the
 * engine refuses the mutation for it, `file_refused`) says so; otherwise the code says why.
 */
export function rejectionText(rejection: Rejection): string {
	return Object.values(rejection.fieldErrors ?? {}).includes(FieldErrorCode.fileRefused)
		? m.upload_refused()
		: rejectionMessage(rejection.code);
}
