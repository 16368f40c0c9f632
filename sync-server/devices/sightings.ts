import { sql } from 'drizzle-orm';
import type { Database } from '../db/open';
import { deviceSightings } from '../db/schema';

/** How often a device's sighting is written at most: "last seen" is shown by the hour. */
export const SIGHTING_INTERVAL_MS = 60 * 60_000;

// Enough for every device that syncs with one server in an hour; the oldest go first.
const REMEMBERED = 10_000;

/**
 * Records that a device spoke to the server, for the person's list of their devices: at
 * most once an hour per device, so a pull costs no write. This process remembers what it
 * wrote; the database's condition covers the other processes.
 */
export interface Sightings {
	seen(deviceId: string): Promise<void>;
}

export function sightings(db: Database, now: () => number = Date.now): Sightings {
	const written = new Map<string, number>();
	return {
		async seen(deviceId) {
			const last = written.get(deviceId);
			if (last !== undefined && now() - last < SIGHTING_INTERVAL_MS) return;
			await db
				.insert(deviceSightings)
				.values({ deviceId, seenAt: sql`now()` })
				.onConflictDoUpdate({
					target: deviceSightings.deviceId,
					set: { seenAt: sql`now()` },
					setWhere: sql`${deviceSightings.seenAt} < now() - ${SIGHTING_INTERVAL_MS} * interval '1 millisecond'`
				});
			written.delete(deviceId);
			if (written.size >= REMEMBERED) written.delete(written.keys().next().value!);
			written.set(deviceId, now());
		}
	};
}
