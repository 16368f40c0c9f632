/**
 * The service definition format (definition.ts) as a valibot schema, for definitions that
 * arrive as JSON: a catalogue file the server is started with (`DALA_SERVICES`) and the
 * catalogue a device fetches from `GET /api/services`. Both sides parse with it, so a
 * definition either side runs is one the other could have written.
 *
 * The interfaces in definition.ts stay the hand-written source, because the bundled
 * definitions are TypeScript; the type checks at the end of this file keep the two equal.
 */
import * as v from 'valibot';
import { parseTiyn } from '../money';
import type { CrossFieldRule, FieldDefinition, ServiceDefinition, ServiceSpec } from './definition';
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
	name: FieldName,
	label: Localized,
	hint: v.optional(Localized),
	required: v.boolean(),
	autocomplete: v.optional(v.string())
};

const Field = v.variant('kind', [
	v.object({
		...base,
		kind: v.literal('text'),
		maxLength: v.pipe(Count, v.minValue(1)),
		multiline: v.optional(v.boolean()),
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
	}),
	v.object({ ...base, kind: v.literal('number'), min: v.number(), max: v.number() }),
	v.object({
		...base,
		kind: v.literal('money'),
		min: Tenge,
		max: Tenge,
		computed: v.optional(v.boolean())
	}),
	v.object({
		...base,
		kind: v.literal('date'),
		min: v.optional(v.object({ date: IsoDate })),
		max: v.optional(
			v.union([
				v.object({ date: IsoDate }),
				v.object({ daysFromToday: v.pipe(v.number(), v.integer()) })
			])
		)
	}),
	v.object({
		...base,
		kind: v.literal('choice'),
		options: v.pipe(
			v.array(v.object({ value: v.pipe(v.string(), v.minLength(1)), label: Localized })),
			v.minLength(1, 'expected at least one option')
		)
	}),
	v.object({ ...base, kind: v.literal('iin') }),
	v.object({ ...base, kind: v.literal('bin') }),
	v.object({ ...base, kind: v.literal('phone') }),
	v.object({ ...base, kind: v.literal('address'), precision: v.picklist(['settlement', 'house']) }),
	v.object({
		...base,
		kind: v.literal('photo'),
		accept: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1)),
		maxBytes: v.pipe(Count, v.minValue(1))
	})
]);

const Step = v.object({
	id: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]*$/, 'expected a step id')),
	title: Localized,
	fields: v.pipe(v.array(Field), v.minLength(1, 'expected at least one field'))
});

const Rule = v.variant('rule', [
	v.object({
		rule: v.literal('requiredWhen'),
		field: FieldRef,
		when: FieldRef,
		values: v.array(v.string())
	}),
	v.object({ rule: v.literal('bornAfterParent'), child: FieldRef, parentIin: FieldRef }),
	v.object({ rule: v.literal('periodEnded'), year: FieldRef, half: FieldRef }),
	v.object({ rule: v.literal('taxYearKnown'), year: FieldRef }),
	v.object({
		rule: v.literal('periodWithin'),
		start: FieldRef,
		end: FieldRef,
		maxDays: v.pipe(Count, v.minValue(1))
	}),
	v.object({ rule: v.literal('zeroWithout'), amount: FieldRef, count: FieldRef }),
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

const Migration = v.object({
	from: v.pipe(Count, v.minValue(1)),
	carry: v.record(FieldRef, FieldRef),
	transform: v.array(v.object({ rule: v.literal('regionFromText'), from: FieldRef, to: FieldRef })),
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
		supported: v.boolean(),
		title: Localized,
		summary: Localized,
		help: Localized,
		eligibility: v.object({
			applicant: v.picklist(['individual', 'entrepreneur']),
			text: Localized
		}),
		steps: v.pipe(v.array(Step), v.minLength(1, 'expected at least one step')),
		rules: v.array(Rule),
		fee: v.nullable(Tenge),
		processing: v.variant('kind', [
			v.object({ kind: v.literal('automatic'), rule: v.pipe(v.string(), v.minLength(1)) }),
			v.object({ kind: v.literal('review') })
		]),
		issues: v.object({ kind: v.picklist(['licence', 'certificate', 'receipt']), name: Localized }),
		migration: v.optional(Migration)
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

// The schema and the interfaces must not drift apart: what the schema accepts is a
// ServiceSpec, and a field kind or rule added to one is added to the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Parsed = v.InferOutput<typeof ServiceSpecSchema>;
export const schemaMatchesDefinition: [
	Parsed extends ServiceSpec ? true : false,
	Same<Parsed['steps'][number]['fields'][number]['kind'], FieldDefinition['kind']>,
	Same<Parsed['rules'][number]['rule'], CrossFieldRule['rule']>
] = [true, true, true];
