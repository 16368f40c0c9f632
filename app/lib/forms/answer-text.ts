import { displayDate, parseDate } from '../../../shared/dates';
import { displayTenge, formatTenge, parseTiyn } from '../../../shared/money';
import { formatPhone } from '../../../shared/phone';
import { inputFields } from '../../../shared/services/address';
import type { FieldDefinition } from '../../../shared/services/definition';
import type { Answers } from '../../../shared/services/validate';
import { localized } from '../i18n/locale.svelte';

/**
 * A field's answer as a person reads it back: the label of a choice, a phone in groups, a
 * date as dd.mm.yyyy, an amount with ₸, an address as its parts joined.
 */
export function answerText(field: FieldDefinition, answers: Answers | undefined): string {
	if (field.kind === 'address') {
		return inputFields(field)
			.map((part) => answerText(part, answers))
			.filter(Boolean)
			.join(', ');
	}
	const value = answers?.[field.name];
	if (!value) return '';
	switch (field.kind) {
		case 'choice':
			return localized(
				field.options.find((o) => o.value === value)?.label ?? { en: value, ru: value, kk: value }
			);
		case 'phone':
			return formatPhone(value);
		// A draft holds what was typed; show it as it will be stored.
		case 'date':
			return displayDate(parseDate(value) ?? value);
		case 'money': {
			const tiyn = parseTiyn(value);
			return tiyn === null ? value : displayTenge(formatTenge(tiyn));
		}
		default:
			return value;
	}
}
