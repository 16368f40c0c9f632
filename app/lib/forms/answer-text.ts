import { formatPhone } from '../../../shared/phone';
import type { FieldDefinition } from '../../../shared/services/definition';
import { localized } from '../i18n/locale.svelte';

/** An answer as a person reads it back: the label of a choice, a phone in groups. */
export function answerText(field: FieldDefinition, value: string | undefined): string {
	if (!value) return '';
	switch (field.kind) {
		case 'choice':
			return localized(
				field.options.find((o) => o.value === value)?.label ?? { en: value, ru: value, kk: value }
			);
		case 'phone':
			return formatPhone(value);
		default:
			return value;
	}
}
