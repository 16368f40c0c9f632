/**
 * The definition types are the schema's output, to the field: a field declared in a type
 * but not in its schema would compile, then be stripped from every parsed catalogue. These
 * checks are types; tsc fails on them in `npm run check` (vitest only runs the empty shells).
 */
import type * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import type { Localized } from '../../shared/locale';
import type * as d from '../../shared/services/definition';
import type * as schema from '../../shared/services/definition-schema';

type Parsed<S extends v.GenericSchema> = d.Written<v.InferOutput<S>>;

describe('the definition types', () => {
	it('are what the schema parses, field for field', () => {
		expectTypeOf<d.ChoiceOption>().toEqualTypeOf<Parsed<typeof schema.ChoiceOptionSchema>>();
		expectTypeOf<d.TextField>().toEqualTypeOf<Parsed<typeof schema.TextFieldSchema>>();
		expectTypeOf<d.NumberField>().toEqualTypeOf<Parsed<typeof schema.NumberFieldSchema>>();
		expectTypeOf<d.MoneyField>().toEqualTypeOf<Parsed<typeof schema.MoneyFieldSchema>>();
		expectTypeOf<d.DateBound>().toEqualTypeOf<Parsed<typeof schema.DateBoundSchema>>();
		expectTypeOf<d.DateField>().toEqualTypeOf<Parsed<typeof schema.DateFieldSchema>>();
		expectTypeOf<d.ChoiceField>().toEqualTypeOf<Parsed<typeof schema.ChoiceFieldSchema>>();
		expectTypeOf<d.IinField>().toEqualTypeOf<Parsed<typeof schema.IinFieldSchema>>();
		expectTypeOf<d.BinField>().toEqualTypeOf<Parsed<typeof schema.BinFieldSchema>>();
		expectTypeOf<d.PhoneField>().toEqualTypeOf<Parsed<typeof schema.PhoneFieldSchema>>();
		expectTypeOf<d.AddressField>().toEqualTypeOf<Parsed<typeof schema.AddressFieldSchema>>();
		expectTypeOf<d.PhotoField>().toEqualTypeOf<Parsed<typeof schema.PhotoFieldSchema>>();
		expectTypeOf<d.FieldDefinition>().toEqualTypeOf<Parsed<typeof schema.FieldDefinitionSchema>>();
		expectTypeOf<d.StepDefinition>().toEqualTypeOf<Parsed<typeof schema.StepDefinitionSchema>>();
		expectTypeOf<d.CrossFieldRule>().toEqualTypeOf<Parsed<typeof schema.CrossFieldRuleSchema>>();
		expectTypeOf<d.Eligibility>().toEqualTypeOf<Parsed<typeof schema.EligibilitySchema>>();
		expectTypeOf<d.Processing>().toEqualTypeOf<Parsed<typeof schema.ProcessingSchema>>();
		expectTypeOf<d.IssuedDocument>().toEqualTypeOf<Parsed<typeof schema.IssuedDocumentSchema>>();
		expectTypeOf<d.Migration>().toEqualTypeOf<Parsed<typeof schema.MigrationSchema>>();
		expectTypeOf<d.ServiceSpec>().toEqualTypeOf<Parsed<typeof schema.ServiceSpecSchema>>();
	});

	it('give a definition nothing beyond its spec but the derived fields', () => {
		expectTypeOf<Omit<d.ServiceDefinition, 'fields'>>().toEqualTypeOf<d.ServiceSpec>();
		expectTypeOf<d.ServiceDefinition['fields']>().toEqualTypeOf<readonly d.FieldDefinition[]>();
	});

	it('hold a text in every interface language, as shared/locale.ts lists them', () => {
		expectTypeOf<d.ChoiceOption['label']>().toEqualTypeOf<Localized>();
	});

	it('keep the lists the bundled definitions write readonly', () => {
		expectTypeOf<d.ChoiceField['options']>().toEqualTypeOf<readonly d.ChoiceOption[]>();
		expectTypeOf<d.ServiceSpec['steps']>().toEqualTypeOf<readonly d.StepDefinition[]>();
	});
});
