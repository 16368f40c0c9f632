import type { ApplicationState } from '../../shared/protocol';
import type { Answers } from '../../shared/services/validate';
import { applications } from '../db/schema';

/**
 * The columns an owner may see, and no others: select with these wherever an application
 * leaves the server, so ownership and internal columns never travel by accident. The
 * answers do travel, to their owner only: a device converges on what the server holds.
 */
export const stateColumns = {
	id: applications.id,
	serviceId: applications.serviceId,
	serviceVersion: applications.serviceVersion,
	status: applications.status,
	reference: applications.reference,
	version: applications.version,
	answers: applications.answers,
	reason: applications.reason,
	reasonCode: applications.reasonCode,
	requestedFields: applications.requestedFields,
	requestMessage: applications.requestMessage,
	document: applications.document,
	documentRevokedAt: applications.documentRevokedAt,
	documentRevocationReason: applications.documentRevocationReason,
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
	answers: Answers;
	reason: string | null;
	reasonCode: string | null;
	requestedFields: string[] | null;
	requestMessage: string | null;
	/** The issued document's signed code, once approved. */
	document: string | null;
	/** Set together when an office revoked the document. */
	documentRevokedAt: Date | null;
	documentRevocationReason: string | null;
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
		answers: sortedKeys(row.answers),
		// Absent rather than null: the protocol's field is optional, not nullable.
		...(row.reason !== null ? { reason: row.reason } : {}),
		...(row.reasonCode !== null ? { reasonCode: row.reasonCode } : {}),
		// Set exactly while more information is asked for (applications_request_check).
		...(row.requestedFields !== null && row.requestMessage !== null
			? { request: { fields: row.requestedFields, message: row.requestMessage } }
			: {}),
		...(row.document !== null ? { document: row.document } : {}),
		...(row.documentRevokedAt !== null && row.documentRevocationReason !== null
			? {
					documentRevoked: {
						at: row.documentRevokedAt.toISOString(),
						reason: row.documentRevocationReason
					}
				}
			: {}),
		updatedAt: row.updatedAt.toISOString()
	};
}

/**
 * The record with its keys in code-unit order. jsonb stores keys in an order of its own, so
 * records are sorted wherever they leave the server: the same state always serializes to
 * the same bytes, however it was stored.
 */
export function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
	return Object.fromEntries(
		Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
	);
}
