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
	/** A whole-answer pattern (regular expression source, anchored when checked). */
	pattern?: string;
}
/** A whole number, stored as its decimal text (`"3"`). */
export interface NumberField extends FieldBase {
	kind: 'number';
	min: number;
	max: number;
}
/**
 * An amount in tenge, stored as canonical decimal text (`"1250000"`, `"99.50"`; see
 * shared/money.ts), never as a float. `min` and `max` are canonical tenge too.
 */
export interface MoneyField extends FieldBase {
	kind: 'money';
	min: string;
	max: string;
	/**
	 * Worked out from other answers by a cross-field rule of the service, never typed: the
	 * form shows it read-only, and the server checks the figure the device sent.
	 */
	computed?: boolean;
}
/**
 * A bound on a date: a fixed date, or one relative to today in Kazakhstan. Relative
 * bounds are only ever upper bounds ("not in the future"): a relative lower bound would
 * turn an answer that was right when queued offline into a refusal as the days pass.
 */
export type DateBound = { date: string } | { daysFromToday: number };
/** A calendar date, stored as ISO `yyyy-mm-dd`. */
export interface DateField extends FieldBase {
	kind: 'date';
	min?: { date: string };
	max?: DateBound;
}
export interface ChoiceField extends FieldBase {
	kind: 'choice';
	options: readonly ChoiceOption[];
}
/** Individual identification number: 12 digits with a check digit (shared/iin.ts). */
export interface IinField extends FieldBase {
	kind: 'iin';
}
/** Business identification number of an organisation: 12 digits, the IIN's check digit. */
export interface BinField extends FieldBase {
	kind: 'bin';
}
export interface PhoneField extends FieldBase {
	kind: 'phone';
}
/**
 * A Kazakh address as parts (shared/services/address.ts), each stored under
 * `name.part`: `settlement` precision is a place (region, district, town or village),
 * as for a place of birth; `house` adds street, house and flat.
 */
export interface AddressField extends FieldBase {
	kind: 'address';
	precision: 'settlement' | 'house';
}
/**
 * A photo or scan of a document. Declared for the definitions that will need it; the
 * answer is the SHA-256 of the uploaded file (lowercase hex), the file itself travels
 * by resumable upload.
 */
export interface PhotoField extends FieldBase {
	kind: 'photo';
	/** Media types accepted, e.g. `image/jpeg`. */
	accept: readonly string[];
	maxBytes: number;
}

export type FieldDefinition =
	| TextField
	| NumberField
	| MoneyField
	| DateField
	| ChoiceField
	| IinField
	| BinField
	| PhoneField
	| AddressField
	| PhotoField;

/** One page of questions in the multi-step form; on the one-page form, a fieldset. */
export interface StepDefinition {
	id: string;
	title: Localized;
	fields: readonly FieldDefinition[];
}

/**
 * A rule over several answers, as data naming one of the functions in
 * shared/services/rules.ts. Each gives its error on a named field, with a code.
 */
export type CrossFieldRule =
	/** `field` must be answered when `when` holds one of `values`. */
	| { rule: 'requiredWhen'; field: string; when: string; values: readonly string[] }
	/** The date `child` is not before the birth date encoded in the IIN `parentIin`. */
	| { rule: 'bornAfterParent'; child: string; parentIin: string }
	/** The half-year `half` (1 or 2) of `year` is over: a declaration is for a past period. */
	| { rule: 'periodEnded'; year: string; half: string }
	/** The tax table (shared/tax/rates.ts) has rates for `year`. */
	| { rule: 'taxYearKnown'; year: string }
	/** The date `end` is not before `start`, and at most `maxDays` after it (a permit's term). */
	| { rule: 'periodWithin'; start: string; end: string; maxDays: number }
	/** No payroll without employees: `amount` is zero when `count` is. */
	| { rule: 'zeroWithout'; amount: string; count: string }
	/** The simplified-regime tax (form 910), computed into the three named money fields. */
	| {
			rule: 'simplifiedTax';
			year: string;
			income: string;
			payroll: string;
			incomeTax: string;
			socialTax: string;
			total: string;
	  };

/** Who may apply. */
export interface Eligibility {
	applicant: 'individual' | 'entrepreneur';
	text: Localized;
}

/** How an application is decided once received. */
export type Processing = { kind: 'automatic'; rule: string } | { kind: 'review' };

/** What the service issues when an application is approved. */
export interface IssuedDocument {
	kind: 'licence' | 'certificate' | 'receipt';
	name: Localized;
}

/**
 * How answers made on an earlier version become answers of this one (read by
 * shared/services/migrate.ts). Every field of this version that no rule fills is new:
 * the person is asked for it.
 */
export interface Migration {
	from: number;
	/** Old name → new name, the value unchanged (a name mapped to itself carries over). */
	carry: Readonly<Record<string, string>>;
	/** Named transformations of old answers into new ones (see migrate.ts). */
	transform: readonly { rule: 'regionFromText'; from: string; to: string }[];
	/** Old answers deliberately left behind, with no home in this version. */
	dropped: readonly string[];
}

/** What a service definition is written as: everything but the derived `fields`. */
export interface ServiceSpec {
	id: string;
	version: number;
	/** Whether the server still accepts new submissions made on this version. */
	supported: boolean;
	title: Localized;
	summary: Localized;
	help: Localized;
	eligibility: Eligibility;
	steps: readonly StepDefinition[];
	rules: readonly CrossFieldRule[];
	/** The state fee in tenge (canonical text), or null when the service is free. */
	fee: string | null;
	processing: Processing;
	issues: IssuedDocument;
	migration?: Migration;
}

/**
 * A government service as data: the app renders its form from this and the server
 * validates submissions against the very same definition.
 */
export interface ServiceDefinition extends ServiceSpec {
	/** Every field of every step, in the order the form asks them. */
	fields: readonly FieldDefinition[];
}

/** A definition from its spec, with the flat field list derived once. */
export function defineService(spec: ServiceSpec): ServiceDefinition {
	return { ...spec, fields: spec.steps.flatMap((step) => step.fields) };
}
