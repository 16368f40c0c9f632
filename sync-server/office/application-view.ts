import { and, asc, eq, inArray } from 'drizzle-orm';
import type { OfficeApplication } from '../../shared/office';
import type { Catalogue } from '../catalogue/catalogue';
import type { Database } from '../db/open';
import {
	accounts,
	applicationHistory,
	applicationNotes,
	applications,
	documents,
	files
} from '../db/schema';

/** An application's row as the policy and the office page need it. */
export async function applicationRecord(db: Database, id: string) {
	const [row] = await db.select().from(applications).where(eq(applications.id, id));
	return row;
}

type ApplicationRow = NonNullable<Awaited<ReturnType<typeof applicationRecord>>>;

/** The photos an application's answers name: field → SHA-256, by its service version. */
export function namedFiles(
	catalogue: Catalogue,
	row: Pick<ApplicationRow, 'serviceId' | 'serviceVersion' | 'answers'>
) {
	const service = catalogue.find(row.serviceId, row.serviceVersion);
	return (service?.fields ?? []).flatMap((field) =>
		field.kind === 'photo' && row.answers[field.name]
			? [{ field: field.name, sha256: row.answers[field.name]! }]
			: []
	);
}

/** The application as the office page shows it: answers, and the files they name. */
export async function officeView(
	db: Database,
	catalogue: Catalogue,
	row: ApplicationRow
): Promise<OfficeApplication> {
	const named = namedFiles(catalogue, row);
	const stored =
		named.length === 0
			? []
			: await db
					.select({ sha256: files.sha256, type: files.type, size: files.size })
					.from(files)
					.where(
						and(
							eq(files.ownerId, row.ownerId),
							inArray(
								files.sha256,
								named.map((n) => n.sha256)
							)
						)
					);
	const bySha = new Map(stored.map((file) => [file.sha256, file]));
	const [assignee] = row.assignedTo
		? await db
				.select({ id: accounts.id, name: accounts.name })
				.from(accounts)
				.where(eq(accounts.id, row.assignedTo))
		: [];
	const history = await db
		.select({
			kind: applicationHistory.kind,
			fromStatus: applicationHistory.fromStatus,
			toStatus: applicationHistory.toStatus,
			at: applicationHistory.at,
			role: accounts.role,
			name: accounts.name
		})
		.from(applicationHistory)
		.leftJoin(accounts, eq(accounts.id, applicationHistory.actor))
		.where(eq(applicationHistory.applicationId, row.id))
		.orderBy(asc(applicationHistory.id));
	const notes = await db
		.select({ author: accounts.name, text: applicationNotes.text, at: applicationNotes.at })
		.from(applicationNotes)
		.leftJoin(accounts, eq(accounts.id, applicationNotes.author))
		.where(eq(applicationNotes.applicationId, row.id))
		.orderBy(asc(applicationNotes.id));
	const [document] = await db
		.select({ serial: documents.serial, issuedAt: documents.issuedAt })
		.from(documents)
		.where(eq(documents.applicationId, row.id));
	return {
		id: row.id,
		reference: row.reference,
		serviceId: row.serviceId,
		serviceVersion: row.serviceVersion,
		status: row.status,
		version: row.version,
		region: row.region,
		receivedAt: row.createdAt.toISOString(),
		updatedAt: row.updatedAt.toISOString(),
		assignee: assignee ?? null,
		answers: row.answers,
		reviewReason: row.reviewReason,
		reasonCode: row.reasonCode,
		reason: row.reason,
		request:
			row.requestedFields && row.requestMessage !== null
				? { fields: row.requestedFields, message: row.requestMessage }
				: null,
		history: history.map((entry) => ({
			kind: entry.kind,
			fromStatus: entry.fromStatus,
			toStatus: entry.toStatus,
			// A citizen's name is not the office's to show from here: the answers hold it.
			actor: entry.role
				? { role: entry.role, name: entry.role === 'citizen' ? null : entry.name }
				: null,
			at: entry.at.toISOString()
		})),
		notes: notes.map((note) => ({ ...note, at: note.at.toISOString() })),
		document: document
			? {
					serial: document.serial,
					issuedAt: document.issuedAt.toISOString(),
					revoked:
						row.documentRevokedAt && row.documentRevocationReason !== null
							? { at: row.documentRevokedAt.toISOString(), reason: row.documentRevocationReason }
							: null
				}
			: null,
		files: named.flatMap(({ field, sha256 }) => {
			const file = bySha.get(sha256);
			return file ? [{ field, sha256, type: file.type, size: file.size }] : [];
		})
	};
}
