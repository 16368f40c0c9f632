import * as v from 'valibot';
import {
	ErrorBody,
	Header,
	PROTOCOL_VERSION,
	PullResponse,
	PushResponse,
	type Mutation
} from '../../../shared/protocol';

/** How the sync engine reaches the server; the tests put a fault-injecting one here. */
export interface SyncTransport {
	push(mutations: Mutation[]): Promise<PushResponse>;
	pull(cursor: string | undefined): Promise<PullResponse>;
}

/**
 * Why a call failed, classified so the engine knows whether to retry:
 * - `offline`: no answer at all (network down, timeout, cut body) — retry later;
 * - `server`: 5xx or an unreadable answer — retry later;
 * - `refused`: 4xx for this request — retrying it unchanged cannot help;
 * - `update_required`: this app speaks a protocol the server no longer serves.
 */
export class SyncError extends Error {
	constructor(
		readonly kind: 'offline' | 'server' | 'refused' | 'update_required',
		message: string,
		readonly status?: number,
		readonly code?: string
	) {
		super(message);
		this.name = 'SyncError';
	}
}

const REQUEST_TIMEOUT_MS = 30_000;

/** The transport over HTTP to the sync server at `baseUrl` (same origin by default). */
export function httpTransport(deviceId: string, baseUrl = ''): SyncTransport {
	const headers = {
		[Header.protocol]: String(PROTOCOL_VERSION),
		[Header.device]: deviceId
	};

	async function call<T>(
		schema: v.GenericSchema<unknown, T>,
		path: string,
		init: RequestInit
	): Promise<T> {
		let response: Response;
		let body: unknown;
		try {
			response = await fetch(baseUrl + path, {
				...init,
				headers: { ...headers, ...init.headers },
				signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
			});
			body = await response.json();
		} catch (error) {
			// No response, or one cut before its body ended: the server may or may not have
			// committed. Either is safe to retry because pushes are idempotent.
			throw new SyncError('offline', error instanceof Error ? error.message : String(error));
		}
		if (response.ok) {
			const parsed = v.safeParse(schema, body);
			if (parsed.success) return parsed.output;
			throw new SyncError('server', 'unexpected response from server', response.status);
		}
		const error = v.safeParse(ErrorBody, body);
		const code = error.success ? error.output.error.code : undefined;
		const message = error.success ? error.output.error.message : `HTTP ${response.status}`;
		if (response.status === 426) {
			throw new SyncError('update_required', message, response.status, code);
		}
		const temporary = response.status >= 500 || response.status === 408 || response.status === 429;
		throw new SyncError(temporary ? 'server' : 'refused', message, response.status, code);
	}

	return {
		push: (mutations) =>
			call(PushResponse, '/api/sync/push', {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ mutations })
			}),
		pull: (cursor) =>
			call(
				PullResponse,
				'/api/sync/pull' + (cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''),
				{ method: 'GET' }
			)
	};
}
