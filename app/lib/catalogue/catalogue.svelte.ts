import { currentServices } from '../../../shared/services/catalog';
import type { ServiceDefinition } from '../../../shared/services/definition';
import { db } from '../db/instance';
import { Live } from '../live.svelte';
import {
	currentDeviceServices,
	findDeviceService,
	findIn,
	servicesOf,
	storedCatalogue
} from './device-catalogue';

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

/**
 * The definition of `id` at `version` as the device knows it right now, read from
 * IndexedDB rather than from reactive state, so it is right on the first call of a page's
 * `load`: the server's published catalogue, else the bundled one. A version this app was
 * built with that the server no longer publishes comes back with `supported: false`.
 */
export function deviceFindService(
	id: string,
	version: number
): Promise<ServiceDefinition | undefined> {
	return findDeviceService(db, id, version);
}

/**
 * The newest supported version of service `id` on the device right now, read like
 * `deviceFindService`: what a draft on a retired version moves to. Undefined when the
 * service is no longer offered at all.
 */
export async function deviceCurrentService(id: string): Promise<ServiceDefinition | undefined> {
	return (await currentDeviceServices(db)).find((s) => s.id === id);
}
