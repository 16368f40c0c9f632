import type { Localized } from '../locale';

/** One choice in a `choice` field; `value` is what is stored and sent. */
export interface ChoiceOption {
	value: string;
	label: Localized;
}

interface FieldBase {
	/** The key the answer is stored under; stable across versions of a service. */
	name: string;
	label: Localized;
	hint?: Localized;
	required: boolean;
	/** The HTML autocomplete token, so phones and browsers can fill it in. */
	autocomplete?: string;
}

export interface TextField extends FieldBase {
	kind: 'text';
	maxLength: number;
	multiline?: boolean;
}
export interface IinField extends FieldBase {
	kind: 'iin';
}
export interface PhoneField extends FieldBase {
	kind: 'phone';
}
export interface ChoiceField extends FieldBase {
	kind: 'choice';
	options: readonly ChoiceOption[];
}

export type FieldDefinition = TextField | IinField | PhoneField | ChoiceField;

/**
 * A government service as data: the app renders its form from this and the server
 * validates submissions against the very same definition.
 */
export interface ServiceDefinition {
	id: string;
	version: number;
	title: Localized;
	summary: Localized;
	fields: readonly FieldDefinition[];
}
