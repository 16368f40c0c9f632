import { OfficeApplication, QueueResponse, type QueueQuery } from '../../../shared/office';
import { BYTES } from '../sync/transport';
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
