/**
 * The types of a service definition. Each is inferred from its valibot schema in
 * definition-schema.ts, which parses definitions that arrive as JSON: a field exists in
 * the type only if the schema keeps it, so none is declared here and stripped there.
 */
import type * as v from 'valibot';
import type * as schema from './definition-schema';

/**
 * A schema's output with its lists readonly, as the bundled definitions (TypeScript
 * constants) write them. The schema does not say so with `v.readonly()`: that is a pipe
 * transformation, and it would mark a list holding one bad item as untyped, which skips the
 * checks across a whole spec and drops their messages about a bad catalogue file.
 */
export type Written<T> = T extends readonly (infer Item)[]
	? readonly Written<Item>[]
	: T extends object
		? { [K in keyof T]: Written<T[K]> }
		: T;

/** One choice in a `choice` field; `value` is what is stored and sent. */
export type ChoiceOption = Written<v.InferOutput<typeof schema.ChoiceOptionSchema>>;

export type TextField = Written<v.InferOutput<typeof schema.TextFieldSchema>>;
/** A whole number, stored as its decimal text (`"3"`). */
export type NumberField = Written<v.InferOutput<typeof schema.NumberFieldSchema>>;
/**
 * An amount in tenge, stored as canonical decimal text (`"1250000"`, `"99.50"`; see
 * shared/money.ts), never as a float. `min` and `max` are canonical tenge too.
 */
export type MoneyField = Written<v.InferOutput<typeof schema.MoneyFieldSchema>>;
/**
 * A bound on a date: a fixed date, or one relative to today in Kazakhstan. Relative
 * bounds are only ever upper bounds ("not in the future"): a relative lower bound would
 * turn an answer that was right when queued offline into a refusal as the days pass.
 */
export type DateBound = Written<v.InferOutput<typeof schema.DateBoundSchema>>;
/** A calendar date, stored as ISO `yyyy-mm-dd`. */
export type DateField = Written<v.InferOutput<typeof schema.DateFieldSchema>>;
export type ChoiceField = Written<v.InferOutput<typeof schema.ChoiceFieldSchema>>;
/** Individual identification number: 12 digits with a check digit (shared/iin.ts). */
export type IinField = Written<v.InferOutput<typeof schema.IinFieldSchema>>;
/** Business identification number of an organisation: 12 digits, the IIN's check digit. */
export type BinField = Written<v.InferOutput<typeof schema.BinFieldSchema>>;
export type PhoneField = Written<v.InferOutput<typeof schema.PhoneFieldSchema>>;
/**
 * A Kazakh address as parts (shared/services/address.ts), each stored under
 * `name.part`: `settlement` precision is a place (region, district, town or village),
 * as for a place of birth; `house` adds street, house and flat.
 */
export type AddressField = Written<v.InferOutput<typeof schema.AddressFieldSchema>>;
/**
 * A photo or scan of a document. Declared for the definitions that will need it; the
 * answer is the SHA-256 of the uploaded file (lowercase hex), the file itself travels
 * by resumable upload.
 */
export type PhotoField = Written<v.InferOutput<typeof schema.PhotoFieldSchema>>;

export type FieldDefinition = Written<v.InferOutput<typeof schema.FieldDefinitionSchema>>;

/** One page of questions in the multi-step form; on the one-page form, a fieldset. */
export type StepDefinition = Written<v.InferOutput<typeof schema.StepDefinitionSchema>>;

/**
 * A rule over several answers, as data naming one of the functions in
 * shared/services/rules.ts. Each gives its error on a named field, with a code.
 */
export type CrossFieldRule = Written<v.InferOutput<typeof schema.CrossFieldRuleSchema>>;

/** Who may apply. */
export type Eligibility = Written<v.InferOutput<typeof schema.EligibilitySchema>>;

/** How an application is decided once received. */
export type Processing = Written<v.InferOutput<typeof schema.ProcessingSchema>>;

/** What the service issues when an application is approved. */
export type IssuedDocument = Written<v.InferOutput<typeof schema.IssuedDocumentSchema>>;

/**
 * How answers made on an earlier version become answers of this one (read by
 * shared/services/migrate.ts). Every field of this version that no rule fills is new:
 * the person is asked for it.
 */
export type Migration = Written<v.InferOutput<typeof schema.MigrationSchema>>;

/** What a service definition is written as: everything but the derived `fields`. */
export type ServiceSpec = Written<v.InferOutput<typeof schema.ServiceSpecSchema>>;

/**
 * A government service as data: the app renders its form from this and the server
 * validates submissions against the very same definition. The one type with no schema:
 * `fields` is derived by defineService, never written or sent, so nothing parses it.
 */
export interface ServiceDefinition extends ServiceSpec {
	/** Every field of every step, in the order the form asks them. */
	fields: readonly FieldDefinition[];
}

/** A definition from its spec, with the flat field list derived once. */
export function defineService(spec: ServiceSpec): ServiceDefinition {
	return { ...spec, fields: spec.steps.flatMap((step) => step.fields) };
}
