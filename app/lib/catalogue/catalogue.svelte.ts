import { currentServices } from '../../../shared/services/catalog';
import type { ServiceDefinition } from '../../../shared/services/definition';
import { db } from '../db/instance';
import { Live } from '../live.svelte';
import { findIn, servicesOf, storedCatalogue } from './device-catalogue';

/**
 * The device's view of the services, for components: the catalogue the server last
 * published (kept in IndexedDB, followed across tabs), else the one the app was built
 * with. Reading `current` or calling `find` inside a component keeps it up to date.
 */
class DeviceCatalogue {
	#stored = new Live(() => storedCatalogue(db));

	/** Every version of every service, retired ones included. */
	get all(): readonly ServiceDefinition[] {
		return servicesOf(this.#stored.current);
	}

	/** What is offered: the newest supported version of each service, in order. */
	get current(): ServiceDefinition[] {
		return currentServices(this.all);
	}

	/** The definition of `id` at `version` (see findIn in device-catalogue.ts). */
	find(id: string, version: number): ServiceDefinition | undefined {
		return findIn(this.#stored.current, id, version);
	}
}

export const deviceCatalogue = new DeviceCatalogue();
