import * as v from 'valibot';
import {
	ClaimResponse,
	Colleagues,
	OfficeApplication,
	QueueResponse,
	type QueueQuery
} from '../../../shared/office';
import { BYTES, gzip } from '../sync/transport';
import { officeCalls } from './staff-accounts';

/** A page of the reviewer's queue (docs/office.md). */
export async function workQueue(query: QueueQuery): Promise<QueueResponse> {
	const params = new URLSearchParams(
		Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined)
	);
	const call = await officeCalls();
	const search = params.size ? `?${params}` : '';
	return call(QueueResponse, 'GET', `/api/office/applications${search}`);
}

/** One application as the reviewer sees it. */
export async function officeApplication(id: string): Promise<OfficeApplication> {
	const call = await officeCalls();
	return call(OfficeApplication, 'GET', `/api/office/applications/${encodeURIComponent(id)}`);
}

/** A photo an application's answers name, its bytes fetched as a signed call must be. */
export async function officeFile(applicationId: string, sha256: string): Promise<Blob> {
	const call = await officeCalls();
	return call(
		BYTES,
		'GET',
		`/api/office/applications/${encodeURIComponent(applicationId)}/files/${sha256}`
	);
}

/**
 * A decision on the version the reviewer saw (docs/sync-protocol.md). Throws SyncError:
 * 409 when the application moved meanwhile (nothing recorded), 400 naming what is wrong.
 */
export async function decideApplication(id: string, decision: object): Promise<void> {
	const call = await officeCalls();
	await call(
		v.object({ status: v.literal('applied') }),
		'POST',
		`/api/office/applications/${encodeURIComponent(id)}/decision`,
		await gzip(JSON.stringify(decision))
	);
}

/**
 * Revokes the application's document, with the reason its holder reads (docs/documents.md).
 * Throws SyncError: 409 when the application moved meanwhile or is revoked already.
 */
export async function revokeDocument(
	id: string,
	revocation: { reason: string; baseVersion: number }
): Promise<void> {
	const call = await officeCalls();
	await call(
		v.object({ status: v.literal('applied') }),
		'POST',
		`/api/office/applications/${encodeURIComponent(id)}/revocation`,
		await gzip(JSON.stringify(revocation))
	);
}

/**
 * Takes the application to work on, or hands it to a colleague (`to`). Throws SyncError
 * 409 when someone else holds it.
 */
export async function claimApplication(id: string, to?: string): Promise<void> {
	const call = await officeCalls();
	await call(
		ClaimResponse,
		'POST',
		`/api/office/applications/${encodeURIComponent(id)}/claim`,
		await gzip(JSON.stringify(to ? { to } : {}))
	);
}

/** The reviewers of the caller's region, to hand an application to. */
export async function colleagues(): Promise<Colleagues['reviewers']> {
	const call = await officeCalls();
	return (await call(Colleagues, 'GET', '/api/office/colleagues')).reviewers;
}

/** A note for the application's other reviewers. Throws SyncError 400 naming what is wrong. */
export async function addNote(id: string, text: string): Promise<void> {
	const call = await officeCalls();
	await call(
		v.object({ text: v.string() }),
		'POST',
		`/api/office/applications/${encodeURIComponent(id)}/notes`,
		await gzip(JSON.stringify({ text }))
	);
}
