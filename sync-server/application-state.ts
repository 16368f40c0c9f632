import type { ApplicationState } from '../shared/protocol';
import { applications } from './db/schema';

/**
 * The columns an owner may see, and no others: select with these wherever an application
 * leaves the server, so answers and ownership never travel by accident.
 */
export const stateColumns = {
	id: applications.id,
	serviceId: applications.serviceId,
	serviceVersion: applications.serviceVersion,
	status: applications.status,
	reference: applications.reference,
	version: applications.version,
	reason: applications.reason,
	updatedAt: applications.updatedAt
};

/** A row selected with `stateColumns`. */
export interface StateRow {
	id: string;
	serviceId: string;
	serviceVersion: number;
	status: ApplicationState['status'];
	reference: string;
	version: number;
	reason: string | null;
	updatedAt: Date;
}

/** The one mapping from a database row to what the protocol sends about an application. */
export function toApplicationState(row: StateRow): ApplicationState {
	return {
		id: row.id,
		serviceId: row.serviceId,
		serviceVersion: row.serviceVersion,
		status: row.status,
		reference: row.reference,
		version: row.version,
		// Absent rather than null: the protocol's field is optional, not nullable.
		...(row.reason !== null ? { reason: row.reason } : {}),
		updatedAt: row.updatedAt.toISOString()
	};
}
