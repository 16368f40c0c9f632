import { birthRegistration } from './birth-registration';
import type { ServiceDefinition } from './definition';
import { individualEntrepreneur, individualEntrepreneurV2 } from './individual-entrepreneur';
import { simplifiedTaxDeclaration } from './simplified-tax-declaration';
import { tradeOutletPermit } from './trade-outlet-permit';

/**
 * Every version of every service Dala knows, retired ones included, so an application
 * made on any of them can still be shown. Whether a version is still accepted is its
 * `supported` flag.
 */
export const SERVICES: readonly ServiceDefinition[] = [
	individualEntrepreneur,
	individualEntrepreneurV2,
	birthRegistration,
	simplifiedTaxDeclaration,
	tradeOutletPermit
];

/** The definition for a service id and version among `services`, or undefined. */
export function findService(
	id: string,
	version?: number,
	services: readonly ServiceDefinition[] = SERVICES
): ServiceDefinition | undefined {
	return services.find((s) => s.id === id && (version === undefined || s.version === version));
}

/** What the catalogue offers: the newest supported version of each service, in order. */
export function currentServices(
	services: readonly ServiceDefinition[] = SERVICES
): ServiceDefinition[] {
	const newest = new Map<string, ServiceDefinition>();
	for (const s of services) {
		if (!s.supported) continue;
		const known = newest.get(s.id);
		if (!known || s.version > known.version) newest.set(s.id, s);
	}
	return [...newest.values()];
}
