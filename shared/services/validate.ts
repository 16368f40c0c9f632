import * as v from 'valibot';
import { FieldErrorCode, type FieldErrors } from '../errors';
import { isValidIin } from '../iin';
import { normalizePhone } from '../phone';
import type { FieldDefinition, ServiceDefinition } from './definition';

/** Answers as the form holds them and the server stores them: field name → text. */
export type Answers = Record<string, string>;

type Normalized = { value: string } | { error: FieldErrorCode };

/** The rule for one kind of field, applied to a trimmed, non-empty answer. */
function normalize(field: FieldDefinition, text: string): Normalized {
	switch (field.kind) {
		case 'text':
			return text.length > field.maxLength ? { error: FieldErrorCode.tooLong } : { value: text };
		case 'iin': {
			const digits = text.replace(/\s/g, '');
			return isValidIin(digits) ? { value: digits } : { error: FieldErrorCode.invalidIin };
		}
		case 'phone': {
			const phone = normalizePhone(text);
			return phone ? { value: phone } : { error: FieldErrorCode.invalidPhone };
		}
		case 'choice':
			return field.options.some((o) => o.value === text)
				? { value: text }
				: { error: FieldErrorCode.invalidChoice };
	}
}

// U+0000 and half of a UTF-16 surrogate pair: JSON can carry them, but PostgreSQL's text
// cannot store them, and no keyboard types them.
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function fieldSchema(field: FieldDefinition) {
	return v.pipe(
		v.optional(v.string(FieldErrorCode.invalidType), ''),
		v.check((text) => !UNSTORABLE.test(text), FieldErrorCode.invalidType),
		v.trim(),
		v.rawTransform(({ dataset, addIssue, NEVER }) => {
			const text = dataset.value;
			if (text === '') {
				if (field.required) addIssue({ message: FieldErrorCode.required });
				// An optional field left empty is stored as absent, not as ''.
				return field.required ? NEVER : undefined;
			}
			const result = normalize(field, text);
			if ('error' in result) {
				addIssue({ message: result.error });
				return NEVER;
			}
			return result.value;
		})
	);
}

const schemaCache = new WeakMap<ServiceDefinition, v.GenericSchema<unknown, Answers>>();

/** The valibot schema for a service's answers, derived from its definition. */
export function answersSchema(service: ServiceDefinition): v.GenericSchema<unknown, Answers> {
	let schema = schemaCache.get(service);
	if (!schema) {
		const entries = Object.fromEntries(service.fields.map((f) => [f.name, fieldSchema(f)]));
		// Unknown keys are dropped: only what the definition asks for is ever stored.
		schema = v.pipe(
			v.object(entries, FieldErrorCode.invalidType),
			v.transform(
				(answers) =>
					Object.fromEntries(
						Object.entries(answers).filter(([, value]) => value !== undefined)
					) as Answers
			)
		);
		schemaCache.set(service, schema);
	}
	return schema;
}

export type ValidationResult =
	{ ok: true; answers: Answers } | { ok: false; fieldErrors: FieldErrors };

/**
 * Validates and normalizes answers. The form calls this before it lets a person go
 * on; the server calls it again on every submission and trusts nothing else.
 */
export function validateAnswers(service: ServiceDefinition, input: unknown): ValidationResult {
	const result = v.safeParse(answersSchema(service), input);
	if (result.success) return { ok: true, answers: result.output };
	const fieldErrors: FieldErrors = {};
	for (const issue of result.issues) {
		const key = issue.path?.[0]?.key;
		const name = typeof key === 'string' ? key : '';
		fieldErrors[name] ??= issue.message as FieldErrorCode;
	}
	return { ok: false, fieldErrors };
}
