/**
 * The one rule for which region an application belongs to (shared/services/region.ts),
 * over the bundled catalogue, and the definition format's check that a service names an
 * address's region part as its region, nothing else.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { NATIONAL_REGION, STAFF_REGIONS } from '../../shared/accounts';
import { REGIONS } from '../../shared/services/address';
import { findService, SERVICES } from '../../shared/services/catalog';
import { ServiceCatalogueSchema, specOf } from '../../shared/services/definition-schema';
import { REGION_CODES, regionOf } from '../../shared/services/region';
import { GOOD_BIRTH, GOOD_IE_V2, GOOD_PERMIT, GOOD_TAX } from '../support/service-answers';

const service = (id: string, version: number) => {
	const found = findService(id, version);
	if (!found) throw new Error(`no ${id} v${version}`);
	return found;
};

describe('regionOf', () => {
	it('reads the region from the answer each service names', () => {
		expect(regionOf(service('trade-outlet-permit', 1), GOOD_PERMIT)).toBe('turkistan');
		expect(regionOf(service('birth-registration', 1), GOOD_BIRTH)).toBe('turkistan');
		const almaty = { ...GOOD_IE_V2, 'businessAddress.region': 'almaty-region' };
		expect(regionOf(service('individual-entrepreneur', 2), almaty)).toBe('almaty-region');
	});

	it('gives no region (the national queue) where a service names none', () => {
		expect(regionOf(service('simplified-tax-declaration', 1), GOOD_TAX)).toBeNull();
		// Free text that names a region in words, and even a region part it never asks for.
		const v1 = { address: 'Алматинская область, Талгар', 'businessAddress.region': 'almaty' };
		expect(regionOf(service('individual-entrepreneur', 1), v1)).toBeNull();
	});

	it('gives no region for an answer that is not a REGIONS code, or none at all', () => {
		const permit = service('trade-outlet-permit', 1);
		for (const region of ['atlantis', 'national', 'Almaty', '', 7, null]) {
			expect(regionOf(permit, { ...GOOD_PERMIT, 'siteAddress.region': region })).toBeNull();
		}
		expect(regionOf(permit, {})).toBeNull();
	});

	it('knows the REGIONS codes, and staff the national queue besides', () => {
		expect(REGION_CODES).toEqual(REGIONS.map((r) => r.value));
		expect(REGION_CODES).toHaveLength(20);
		expect(STAFF_REGIONS).toEqual([...REGION_CODES, NATIONAL_REGION]);
		expect(REGION_CODES).not.toContain(NATIONAL_REGION);
	});
});

describe('the region a definition names', () => {
	const permit = specOf(service('trade-outlet-permit', 1));
	const messages = (region: string) =>
		v.safeParse(ServiceCatalogueSchema, [{ ...permit, region }]).issues?.map((i) => i.message);

	it('is the region part of an address field', () => {
		expect(v.safeParse(ServiceCatalogueSchema, SERVICES.map(specOf)).success).toBe(true);
		expect(messages('siteAddress.region')).toBeUndefined();
	});

	it.each(['siteAddress.street', 'siteDescription', 'businessForm', 'nowhere.region'])(
		'is refused when it names %s',
		(region) => {
			expect(messages(region)).toContain(
				`region names ${region}, which is not an address's region`
			);
		}
	);
});
