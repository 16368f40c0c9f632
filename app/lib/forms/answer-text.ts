import type { FieldDefinition } from '../../../shared/services/definition';
import { localized } from '../i18n/locale.svelte';

/** An answer as a person reads it back: the label of a choice, not its code. */
export function answerText(field: FieldDefinition, value: string | undefined): string {
	if (!value) return '';
	if (field.kind === 'choice') {
		const option = field.options.find((o) => o.value === value);
		return option ? localized(option.label) : value;
	}
	return value;
}
