import * as v from 'valibot';
import { parseDate, addDays, todayInKazakhstan } from '../dates';
import { FieldErrorCode, type FieldErrors } from '../errors';
import { isValidBin, isValidIin } from '../iin';
import { formatTenge, parseTiyn } from '../money';
import { normalizePhone } from '../phone';
import { cannotBeStored, hasForbiddenCharacter } from '../text';
import { inputFields } from './address';
import type { DateBound, FieldDefinition, ServiceDefinition } from './definition';
import { checkRule, computeRule, type RuleContext } from './rules';

/** Answers as the form holds them and the server stores them: input name → text. */
export type Answers = Record<string, string>;

/** What validation may depend on besides the answers; both sides default to the same. */
export interface ValidateOptions {
	/** Today in Kazakhstan (ISO); defaults to the clock's. */
	today?: string;
}

type Normalized = { value: string } | { error: FieldErrorCode };

function boundDate(bound: DateBound, today: string): string {
	return 'date' in bound ? bound.date : addDays(today, bound.daysFromToday);
}

/** The rule for one kind of input, applied to a trimmed, non-empty answer. */
function normalize(field: FieldDefinition, text: string, context: RuleContext): Normalized {
	switch (field.kind) {
		case 'text':
			if (hasForbiddenCharacter(text, { multiline: field.multiline })) {
				return { error: FieldErrorCode.forbiddenCharacter };
			}
			if (text.length > field.maxLength) return { error: FieldErrorCode.tooLong };
			if (field.pattern && !new RegExp(`^(?:${field.pattern})$`, 'u').test(text)) {
				return { error: FieldErrorCode.invalidFormat };
			}
			return { value: text };
		case 'number': {
			const digits = text.replace(/[\s\u00a0\u202f]/g, '');
			if (!/^-?\d{1,15}$/.test(digits)) return { error: FieldErrorCode.invalidNumber };
			const n = Number(digits);
			if (n < field.min) return { error: FieldErrorCode.tooSmall };
			if (n > field.max) return { error: FieldErrorCode.tooLarge };
			return { value: String(n) };
		}
		case 'money': {
			const tiyn = parseTiyn(text);
			if (tiyn === null) return { error: FieldErrorCode.invalidAmount };
			if (tiyn < parseTiyn(field.min)!) return { error: FieldErrorCode.tooSmall };
			if (tiyn > parseTiyn(field.max)!) return { error: FieldErrorCode.tooLarge };
			return { value: formatTenge(tiyn) };
		}
		case 'date': {
			const date = parseDate(text);
			if (!date) return { error: FieldErrorCode.invalidDate };
			if (field.min && date < field.min.date) return { error: FieldErrorCode.dateTooEarly };
			if (field.max && date > boundDate(field.max, context.today)) {
				const notFuture = 'daysFromToday' in field.max && field.max.daysFromToday === 0;
				return { error: notFuture ? FieldErrorCode.dateInFuture : FieldErrorCode.dateTooLate };
			}
			return { value: date };
		}
		case 'iin': {
			const digits = text.replace(/\s/g, '');
			return isValidIin(digits) ? { value: digits } : { error: FieldErrorCode.invalidIin };
		}
		case 'bin': {
			const digits = text.replace(/\s/g, '');
			return isValidBin(digits) ? { value: digits } : { error: FieldErrorCode.invalidBin };
		}
		case 'phone': {
			const phone = normalizePhone(text);
			return phone ? { value: phone } : { error: FieldErrorCode.invalidPhone };
		}
		case 'choice':
			return field.options.some((o) => o.value === text)
				? { value: text }
				: { error: FieldErrorCode.invalidChoice };
		case 'photo':
			// The file's SHA-256; its type and size are checked where it is uploaded.
			return /^[0-9a-f]{64}$/.test(text) ? { value: text } : { error: FieldErrorCode.invalidType };
		case 'address':
			// Answered part by part (inputFields); never an input of its own.
			return { error: FieldErrorCode.invalidType };
	}
}

function fieldSchema(field: FieldDefinition, context: RuleContext) {
	return v.pipe(
		v.optional(v.string(FieldErrorCode.invalidType), ''),
		// JSON carries what no keyboard types and PostgreSQL's text cannot store.
		v.check((text) => !cannotBeStored(text), FieldErrorCode.invalidType),
		v.trim(),
		v.rawTransform(({ dataset, addIssue, NEVER }) => {
			const text = dataset.value;
			if (text === '') {
				if (field.required) addIssue({ message: FieldErrorCode.required });
				// An optional field left empty is stored as absent, not as ''.
				return field.required ? NEVER : undefined;
			}
			const result = normalize(field, text, context);
			if ('error' in result) {
				addIssue({ message: result.error });
				return NEVER;
			}
			return result.value;
		})
	);
}

/** Every input of a service, in the order the form asks them (addresses by part). */
export function serviceInputs(service: ServiceDefinition): readonly FieldDefinition[] {
	return service.fields.flatMap(inputFields);
}

/**
 * The valibot schema for a service's answers, derived from its definition: each input's
 * kind, then the service's cross-field rules, which run once every input is right.
 */
export function answersSchema(
	service: ServiceDefinition,
	context: RuleContext
): v.GenericSchema<unknown, Answers> {
	const entries = Object.fromEntries(
		serviceInputs(service).map((f) => [f.name, fieldSchema(f, context)])
	);
	// Unknown keys are dropped: only what the definition asks for is ever stored.
	return v.pipe(
		v.object(entries, FieldErrorCode.invalidType),
		v.transform(
			(answers) =>
				Object.fromEntries(
					Object.entries(answers).filter(([, value]) => value !== undefined)
				) as Answers
		),
		v.rawCheck(({ dataset, addIssue }) => {
			if (!dataset.typed) return;
			const reported = new Set<string>();
			for (const rule of service.rules) {
				for (const [name, code] of Object.entries(checkRule(rule, dataset.value, context))) {
					if (reported.has(name)) continue;
					reported.add(name);
					addIssue({ message: code, path: [pathItem(dataset.value, name)] });
				}
			}
		})
	);
}

// valibot reports an issue's place as a path; an object-entry item names the key.
function pathItem(input: Answers, key: string): v.ObjectPathItem {
	return { type: 'object', origin: 'value', input, key, value: input[key] };
}

// The schema depends on the day only (relative date bounds): build it once a day.
const schemaCache = new WeakMap<
	ServiceDefinition,
	{ today: string; schema: v.GenericSchema<unknown, Answers> }
>();

export type ValidationResult =
	{ ok: true; answers: Answers } | { ok: false; fieldErrors: FieldErrors };

/**
 * Validates and normalizes answers. The form calls this before it lets a person go
 * on; the server calls it again on every submission and trusts nothing else.
 */
export function validateAnswers(
	service: ServiceDefinition,
	input: unknown,
	options: ValidateOptions = {}
): ValidationResult {
	const today = options.today ?? todayInKazakhstan();
	let cached = schemaCache.get(service);
	if (cached?.today !== today) {
		cached = { today, schema: answersSchema(service, { today }) };
		schemaCache.set(service, cached);
	}
	const result = v.safeParse(cached.schema, input);
	if (result.success) return { ok: true, answers: result.output };
	const fieldErrors: FieldErrors = {};
	for (const issue of result.issues) {
		const key = issue.path?.[0]?.key;
		const name = typeof key === 'string' ? key : '';
		fieldErrors[name] ??= issue.message as FieldErrorCode;
	}
	return { ok: false, fieldErrors };
}

/**
 * The figures a service works out from other answers (the tax due), for the form to show
 * as the person types: name → canonical value, or '' where the inputs are not yet right.
 */
export function computedAnswers(
	service: ServiceDefinition,
	input: Answers,
	options: ValidateOptions = {}
): Answers {
	const context: RuleContext = { today: options.today ?? todayInKazakhstan() };
	const normalized: Answers = {};
	for (const field of serviceInputs(service)) {
		const text = (input[field.name] ?? '').trim();
		if (text === '') continue;
		const result = normalize(field, text, context);
		if ('value' in result) normalized[field.name] = result.value;
	}
	const computed: Answers = {};
	for (const field of service.fields) {
		if (field.kind === 'money' && field.computed) computed[field.name] = '';
	}
	for (const rule of service.rules) Object.assign(computed, computeRule(rule, normalized));
	return computed;
}
