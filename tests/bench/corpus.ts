/**
 * The one set of documents every system under test receives, in the shape each one takes
 * it: answers for the sync server's pushes, rows for the raw PostgreSQL ceiling, documents
 * for PouchDB. Sizes are measured here, once, so the report states what was really sent.
 */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { formatReference } from '../../shared/reference';
import { ApplicationStatus } from '../../shared/status';
import { application, asQueued, type TypedApplication } from './documents';
import type { ApplicationRow } from './postgres-ceiling';
import type { PouchDocument } from './pouchdb-replication';
import { utf8Bytes } from './stats';

/** How many of the applications are for one service, and their average size as sent. */
export interface ServiceShare {
	serviceId: string;
	count: number;
	mutationBytes: number;
}

export interface Corpus {
	applications: TypedApplication[];
	/** Average bytes of one submit mutation as JSON, as a device sends it (before gzip). */
	mutationBytes: number;
	/** Average bytes of the answers as typed, and as queued, sent and stored (normalized). */
	answersBytes: number;
	storedAnswersBytes: number;
	/** The mix, largest share first. */
	services: ServiceShare[];
}

/** Applications `from` … `from + count − 1` (the same indices give the same documents). */
export function corpus(from: number, count: number): Corpus {
	const applications = Array.from({ length: count }, (_, i) => application(from + i));
	let mutationBytes = 0;
	let answersBytes = 0;
	let storedAnswersBytes = 0;
	const services = new Map<string, ServiceShare>();
	applications.forEach((a, i) => {
		const answers = asQueued(a);
		const mutation = {
			id: uuidv7(),
			seq: i + 1,
			type: 'application.submit',
			applicationId: uuidv7(),
			serviceId: a.service.id,
			serviceVersion: a.service.version,
			answers
		};
		const bytes = utf8Bytes(JSON.stringify(mutation));
		mutationBytes += bytes;
		answersBytes += utf8Bytes(JSON.stringify(a.answers));
		storedAnswersBytes += utf8Bytes(JSON.stringify(answers));
		const share = services.get(a.service.id) ?? {
			serviceId: a.service.id,
			count: 0,
			mutationBytes: 0
		};
		share.count++;
		share.mutationBytes += bytes;
		services.set(a.service.id, share);
	});
	return {
		applications,
		mutationBytes: mutationBytes / count,
		answersBytes: answersBytes / count,
		storedAnswersBytes: storedAnswersBytes / count,
		services: [...services.values()]
			.map((s) => ({ ...s, mutationBytes: s.mutationBytes / s.count }))
			.sort((a, b) => b.count - a.count)
	};
}

/** A device id of the real shape (a 43-character SHA-256 thumbprint), made from a number. */
function deviceIdFor(n: number): string {
	return createHash('sha256').update(`bench device ${n}`).digest('base64url');
}

/** An owner id of the real shape (a UUID), made from a number. */
function uuidFor(n: number): string {
	const hex = createHash('sha256').update(`bench owner ${n}`).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

let nextReference = 1;

/**
 * `applications` rows for the applications, in batches of `batch`, as `devices` devices
 * would own them (each a contiguous share, as in the HTTP ingest).
 */
export function applicationRows(
	applications: readonly TypedApplication[],
	batch: number,
	devices: number
): ApplicationRow[][] {
	const share = Math.ceil(applications.length / devices);
	const rows = applications.map((a, i): ApplicationRow => ({
		id: uuidv7(),
		owner_id: uuidFor(Math.floor(i / share)),
		device_id: deviceIdFor(Math.floor(i / share)),
		mutation_id: uuidv7(),
		service_id: a.service.id,
		service_version: a.service.version,
		answers: asQueued(a),
		status: ApplicationStatus.received,
		reference: formatReference(2026, nextReference++),
		version: 1
	}));
	const batches: ApplicationRow[][] = [];
	for (let i = 0; i < rows.length; i += batch) batches.push(rows.slice(i, i + batch));
	return batches;
}

/**
 * The applications as a PouchDB app would keep them: one document per application, with
 * the answers its form would have validated and normalized, as Dala's does.
 */
export function pouchDocuments(applications: readonly TypedApplication[]): {
	documents: PouchDocument[];
	bytes: number;
} {
	const documents = applications.map((a, i) => ({
		_id: uuidv7(),
		seq: i + 1,
		type: 'application.submit',
		serviceId: a.service.id,
		serviceVersion: a.service.version,
		answers: asQueued(a)
	}));
	return { documents, bytes: documents.reduce((t, d) => t + utf8Bytes(JSON.stringify(d)), 0) };
}
