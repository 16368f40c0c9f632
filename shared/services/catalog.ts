import type { ServiceDefinition } from './definition';
import { individualEntrepreneur } from './individual-entrepreneur';

/** Every service Dala offers, in the order the catalogue shows them. */
export const SERVICES: readonly ServiceDefinition[] = [individualEntrepreneur];

/** The definition for a service id and version, or undefined when there is none. */
export function findService(id: string, version?: number): ServiceDefinition | undefined {
	return SERVICES.find((s) => s.id === id && (version === undefined || s.version === version));
}
