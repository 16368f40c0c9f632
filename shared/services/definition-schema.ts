/**
 * The service definition format (definition.ts) as a valibot schema, for definitions that
 * arrive as JSON: a catalogue file the server is started with (`DALA_SERVICES`) and the
 * catalogue a device fetches from `GET /api/services`. Both sides parse with it, so a
 * definition either side runs is one the other could have written.
 *
 * It is also the one home of the format: the types in definition.ts, which the bundled
 * definitions are written in, are inferred from these schemas, so a field the schema does
 * not know cannot be declared, and then silently stripped from a parsed file.
 */
import * as v from 'valibot';
import { parseTiyn } from '../money';
import type { FieldDefinition, ServiceDefinition, ServiceSpec } from './definition';
import { defineService } from './definition';

const Text = v.pipe(v.string(), v.trim(), v.minLength(1, 'expected text'));
const Localized = v.object({ kk: Text, ru: Text, en: Text });

/** A field name: an answer key, and with `.part` the key of an address part. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const FieldName = v.pipe(v.string(), v.regex(FIELD_NAME, 'expected a field name'));
/** A name a rule points at: a field, or a part of an address field (`address.region`). */
const FieldRef = v.pipe(
	v.string(),
	v.regex(/^[A-Za-z][A-Za-z0-9_]*(\.[a-z]+)?$/, 'expected a field name')
);
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
const Tenge = v.pipe(
	v.string(),
	v.check((text) => parseTiyn(text) !== null, 'expected an amount of tenge as text')
);
const IsoDate = v.pipe(v.string(), v.isoDate());

const base = {
	/** The key the answer is stored under; stable across versions of a service. */
	name: FieldName,
	label: Localized,
	hint: v.optional(Localized),
	required: v.boolean(),
	/** The HTML autocomplete token, so phones and browsers can fill it in. */
	autocomplete: v.optional(v.string())
};

export const ChoiceOptionSchema = v.object({
	value: v.pipe(v.string(), v.minLength(1)),
	label: Localized
});

export const TextFieldSchema = v.object({
	...base,
	kind: v.literal('text'),
	maxLength: v.pipe(Count, v.minValue(1)),
	multiline: v.optional(v.boolean()),
	/** A whole-answer pattern (regular expression source, anchored when checked). */
	pattern: v.optional(
		v.pipe(
			v.string(),
			v.check((source) => {
				try {
					new RegExp(source, 'u');
					return true;
				} catch {
					return false;
				}
			}, 'expected a regular expression')
		)
	)
});
export const NumberFieldSchema = v.object({
	...base,
	kind: v.literal('number'),
	min: v.number(),
	max: v.number()
});
export const MoneyFieldSchema = v.object({
	...base,
	kind: v.literal('money'),
	min: Tenge,
	max: Tenge,
	/**
	 * Worked out from other answers by a cross-field rule of the service, never typed: the
	 * form shows it read-only, and the server checks the figure the device sent.
	 */
	computed: v.optional(v.boolean())
});
export const DateBoundSchema = v.union([
	v.object({ date: IsoDate }),
	v.object({ daysFromToday: v.pipe(v.number(), v.integer()) })
]);
export const DateFieldSchema = v.object({
	...base,
	kind: v.literal('date'),
	/** Only ever a fixed date: see DateBound in definition.ts. */
	min: v.optional(v.object({ date: IsoDate })),
	max: v.optional(DateBoundSchema)
});
export const ChoiceFieldSchema = v.object({
	...base,
	kind: v.literal('choice'),
	options: v.pipe(v.array(ChoiceOptionSchema), v.minLength(1, 'expected at least one option'))
});
export const IinFieldSchema = v.object({ ...base, kind: v.literal('iin') });
export const BinFieldSchema = v.object({ ...base, kind: v.literal('bin') });
export const PhoneFieldSchema = v.object({ ...base, kind: v.literal('phone') });
export const AddressFieldSchema = v.object({
	...base,
	kind: v.literal('address'),
	precision: v.picklist(['settlement', 'house'])
});
export const PhotoFieldSchema = v.object({
	...base,
	kind: v.literal('photo'),
	/** Media types accepted, e.g. `image/jpeg`. */
	accept: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1)),
	maxBytes: v.pipe(Count, v.minValue(1))
});

export const FieldDefinitionSchema = v.variant('kind', [
	TextFieldSchema,
	NumberFieldSchema,
	MoneyFieldSchema,
	DateFieldSchema,
	ChoiceFieldSchema,
	IinFieldSchema,
	BinFieldSchema,
	PhoneFieldSchema,
	AddressFieldSchema,
	PhotoFieldSchema
]);

export const StepDefinitionSchema = v.object({
	id: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]*$/, 'expected a step id')),
	title: Localized,
	fields: v.pipe(v.array(FieldDefinitionSchema), v.minLength(1, 'expected at least one field'))
});

export const CrossFieldRuleSchema = v.variant('rule', [
	// `field` must be answered when `when` holds one of `values`.
	v.object({
		rule: v.literal('requiredWhen'),
		field: FieldRef,
		when: FieldRef,
		values: v.array(v.string())
	}),
	// The date `child` is not before the birth date encoded in the IIN `parentIin`.
	v.object({ rule: v.literal('bornAfterParent'), child: FieldRef, parentIin: FieldRef }),
	// The half-year `half` (1 or 2) of `year` is over: a declaration is for a past period.
	v.object({ rule: v.literal('periodEnded'), year: FieldRef, half: FieldRef }),
	// The tax table (shared/tax/rates.ts) has rates for `year`.
	v.object({ rule: v.literal('taxYearKnown'), year: FieldRef }),
	// The date `end` is not before `start`, and at most `maxDays` after it (a permit's term).
	v.object({
		rule: v.literal('periodWithin'),
		start: FieldRef,
		end: FieldRef,
		maxDays: v.pipe(Count, v.minValue(1))
	}),
	// No payroll without employees: `amount` is zero when `count` is.
	v.object({ rule: v.literal('zeroWithout'), amount: FieldRef, count: FieldRef }),
	// The simplified-regime tax (form 910), computed into the three named money fields.
	v.object({
		rule: v.literal('simplifiedTax'),
		year: FieldRef,
		income: FieldRef,
		payroll: FieldRef,
		incomeTax: FieldRef,
		socialTax: FieldRef,
		total: FieldRef
	})
]);

export const EligibilitySchema = v.object({
	applicant: v.picklist(['individual', 'entrepreneur']),
	text: Localized
});

/**
 * How an application is decided: by a person, or first by a named rule (automatic-rules.ts),
 * which passes to a person whatever it cannot decide.
 */
export const ProcessingSchema = v.variant('kind', [
	v.variant('rule', [
		// A notification is registered when the activity it names is on the service's low-risk
		// list and its applicant has no other registration open.
		v.object({
			kind: v.literal('automatic'),
			rule: v.literal('lowRiskNotification'),
			activity: FieldRef,
			applicant: FieldRef,
			lowRisk: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1))
		}),
		// A declaration is accepted when the tax it declares is what the rate table gives.
		v.object({ kind: v.literal('automatic'), rule: v.literal('acceptDeclaration') })
	]),
	v.object({ kind: v.literal('review') })
]);

export const IssuedDocumentSchema = v.object({
	kind: v.picklist(['licence', 'certificate', 'receipt']),
	name: Localized
});

export const MigrationSchema = v.object({
	from: v.pipe(Count, v.minValue(1)),
	/** Old name → new name, the value unchanged (a name mapped to itself carries over). */
	carry: v.record(FieldRef, FieldRef),
	/** Named transformations of old answers into new ones (see migrate.ts). */
	transform: v.array(v.object({ rule: v.literal('regionFromText'), from: FieldRef, to: FieldRef })),
	/** Old answers deliberately left behind, with no home in this version. */
	dropped: v.array(FieldRef)
});

/** Every name an answer may be stored under in `spec`: fields, and parts of addresses. */
function answerNames(spec: { steps: readonly { fields: readonly FieldDefinition[] }[] }) {
	const names = new Set<string>();
	for (const field of spec.steps.flatMap((step) => step.fields)) {
		names.add(field.name);
		// Parts (address.ts) are not enumerated here: any `name.part` of an address will do.
		if (field.kind === 'address') names.add(`${field.name}.*`);
	}
	return names;
}

function knows(names: Set<string>, ref: string): boolean {
	const dot = ref.indexOf('.');
	return names.has(ref) || (dot > 0 && names.has(`${ref.slice(0, dot)}.*`));
}

/** One service version as written: a ServiceSpec, checked to be self-consistent. */
export const ServiceSpecSchema = v.pipe(
	v.object({
		id: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]*$/, 'expected a service id (kebab-case)')),
		version: v.pipe(Count, v.minValue(1)),
		/** Whether the server still accepts new submissions made on this version. */
		supported: v.boolean(),
		title: Localized,
		summary: Localized,
		help: Localized,
		eligibility: EligibilitySchema,
		steps: v.pipe(v.array(StepDefinitionSchema), v.minLength(1, 'expected at least one step')),
		rules: v.array(CrossFieldRuleSchema),
		/** The state fee in tenge (canonical text), or null when the service is free. */
		fee: v.nullable(Tenge),
		processing: ProcessingSchema,
		issues: IssuedDocumentSchema,
		/**
		 * The answer that holds the region an application belongs to: the `region` part of
		 * one of its address fields (`siteAddress.region`), a REGIONS code. That region's
		 * reviewers decide it. Absent: the service has no region, and its applications go to
		 * the national queue (region.ts).
		 */
		region: v.optional(FieldRef),
		migration: v.optional(MigrationSchema)
	}),
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const spec = dataset.value;
		const seen = new Set<string>();
		for (const field of spec.steps.flatMap((step) => step.fields)) {
			if (seen.has(field.name)) addIssue({ message: `the field name ${field.name} is used twice` });
			seen.add(field.name);
		}
		const steps = spec.steps.map((step) => step.id);
		if (new Set(steps).size !== steps.length) addIssue({ message: 'a step id is used twice' });
		// A rule naming a field the form does not have would never fire, silently.
		const names = answerNames(spec);
		for (const [index, rule] of spec.rules.entries()) {
			for (const [key, ref] of Object.entries(rule)) {
				if (key === 'rule' || typeof ref !== 'string') continue;
				if (!knows(names, ref)) {
					addIssue({ message: `rules[${index}].${key} names ${ref}, which is not a field` });
				}
			}
		}
		// An automatic rule that names the wrong fields would pass everything to a person, or
		// register what it should not: its fields must be the kinds it reads.
		const fields = spec.steps.flatMap((step) => step.fields);
		const processing = spec.processing;
		if (processing.kind === 'automatic' && processing.rule === 'lowRiskNotification') {
			const activity = fields.find((f) => f.name === processing.activity);
			if (activity?.kind !== 'choice') {
				addIssue({ message: `processing.activity names ${processing.activity}, not a choice` });
			} else {
				for (const value of processing.lowRisk) {
					if (!activity.options.some((o) => o.value === value)) {
						addIssue({ message: `processing.lowRisk has ${value}, not an option of the activity` });
					}
				}
			}
			if (fields.find((f) => f.name === processing.applicant)?.kind !== 'iin') {
				addIssue({ message: `processing.applicant names ${processing.applicant}, not an IIN` });
			}
		}
		if (processing.kind === 'automatic' && processing.rule === 'acceptDeclaration') {
			if (!spec.rules.some((rule) => rule.rule === 'simplifiedTax')) {
				addIssue({ message: 'acceptDeclaration needs a simplifiedTax rule to check' });
			}
		}
		// Anything but an address's region part could hold any text, and route nowhere.
		if (spec.region !== undefined) {
			const [name, part] = spec.region.split('.');
			const field = spec.steps.flatMap((step) => step.fields).find((f) => f.name === name);
			if (field?.kind !== 'address' || part !== 'region') {
				addIssue({ message: `region names ${spec.region}, which is not an address's region` });
			}
		}
	})
);

/**
 * A whole catalogue: every version of every service, retired ones included. Ids and
 * versions pair up once each, since that pair is what an application is checked against.
 */
export const ServiceCatalogueSchema = v.pipe(
	v.array(ServiceSpecSchema),
	v.minLength(1, 'expected at least one service'),
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const seen = new Set<string>();
		for (const spec of dataset.value) {
			const key = `${spec.id}@${spec.version}`;
			if (seen.has(key)) addIssue({ message: `${key} is defined twice` });
			seen.add(key);
		}
	})
);

/** A parsed catalogue as definitions, with each one's flat field list derived. */
export function defineCatalogue(specs: readonly ServiceSpec[]): ServiceDefinition[] {
	return specs.map(defineService);
}

/** The spec of a definition: what is published, without the derived `fields`. */
export function specOf(definition: ServiceDefinition): ServiceSpec {
	const { fields, ...spec } = definition;
	return spec;
}
