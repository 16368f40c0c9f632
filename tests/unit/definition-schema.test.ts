import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '../../shared/services/catalog';
import {
	defineCatalogue,
	ServiceCatalogueSchema,
	specOf
} from '../../shared/services/definition-schema';

describe('the definition format as a schema', () => {
	it('accepts every bundled definition, unchanged, through JSON', () => {
		const specs = SERVICES.map(specOf);
		const parsed = v.parse(ServiceCatalogueSchema, JSON.parse(JSON.stringify(specs)));
		expect(parsed).toEqual(specs);
		expect(defineCatalogue(parsed)).toEqual(SERVICES);
	});

	it('refuses a field named twice in one service', () => {
		const [spec] = SERVICES.map(specOf);
		const step = spec!.steps[0]!;
		const twice = { ...spec!, steps: [{ ...step, fields: [...step.fields, step.fields[0]!] }] };
		const result = v.safeParse(ServiceCatalogueSchema, [twice]);
		expect(result.success).toBe(false);
		expect(result.issues?.map((i) => i.message)).toContain(
			`the field name ${step.fields[0]!.name} is used twice`
		);
	});
});
