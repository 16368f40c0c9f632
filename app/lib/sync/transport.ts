import * as v from 'valibot';
import {
	ErrorBody,
	Header,
	PROTOCOL_VERSION,
	PullResponse,
	PushResponse,
	RegisterResponse,
	type Mutation
} from '../../../shared/protocol';
import type { DeviceIdentity } from '../db/database';
import { deviceRequestHeaders } from '../device-request';
import { serverClock as pageClock, type ServerClock } from '../server-clock';
import { retryAfterMs } from './backoff';

/** What one push cost on the wire, for the progress the person sees. */
export interface PushReceipt extends PushResponse {
	bytesSent: number;
}

/** How the sync engine reaches the server; the tests put a fault-injecting one here. */
export interface SyncTransport {
	push(mutations: Mutation[]): Promise<PushReceipt>;
	pull(cursor: string | undefined): Promise<PullResponse>;
}

/**
 * Why a call failed, classified so the engine knows whether to retry:
 * - `offline`: no answer at all (network down, timeout, cut body) — retry later;
 * - `server`: 5xx or an unreadable answer — retry later;
 * - `refused`: 4xx for this request — retrying it unchanged cannot help;
 * - `update_required`: this app speaks a protocol the server no longer serves;
 * - `signed_out`: the person's session ended (or this device was removed from their
 *   account): nothing is sent until they sign in again, and the queue waits.
 */
export class SyncError extends Error {
	constructor(
		readonly kind: 'offline' | 'server' | 'refused' | 'update_required' | 'signed_out',
		message: string,
		readonly status?: number,
		readonly code?: string,
		/** How long the server asked us to wait before trying again (`Retry-After`), in ms. */
		readonly retryAfterMs?: number,
		/** The refusal's details by field (`triesLeft` of a wrong sign-in code). */
		readonly issues?: Readonly<Record<string, string>>
	) {
		super(message);
		this.name = 'SyncError';
	}
}

const REQUEST_TIMEOUT_MS = 30_000;

/** Gzip, which every browser can do natively (CompressionStream) and shrinks JSON ~5×. */
export async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
	const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** The schema of an answer that is a file's bytes, not JSON (the office's photos). */
export const BYTES = v.instance(Blob);

/**
 * Sends a fetch and reads its JSON, turning every failure into a SyncError. Every answer
 * that arrives, refusals too, tells `clock` the server's time.
 */
async function exchange<T>(
	fetch: Fetch,
	schema: v.GenericSchema<unknown, T>,
	url: string,
	init: RequestInit,
	clock: ServerClock
): Promise<T> {
	let response: Response;
	let body: unknown;
	try {
		response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
		clock.observe(response.headers);
		// Bytes only when that was asked for and it worked: a refusal is JSON all the same.
		body =
			response.ok && (schema as unknown) === BYTES ? await response.blob() : await response.json();
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
	const issues = error.success ? error.output.error.issues : undefined;
	if (response.status === 426) throw new SyncError('update_required', message, 426, code);
	const temporary = response.status >= 500 || response.status === 408 || response.status === 429;
	// A limit (429) or an overloaded server (503) says how long to wait; that is honoured.
	const wait = retryAfterMs(response.headers.get('Retry-After'), Date.now());
	throw new SyncError(
		temporary ? 'server' : 'refused',
		message,
		response.status,
		code,
		wait,
		issues
	);
}

export interface HttpTransportOptions {
	/** The server's origin; the page's own by default. */
	baseUrl?: string;
	/** The fetch to use; the simulation passes one that injects faults. */
	fetch?: Fetch;
	/** The server's clock as the device knows it, to sign by; the page's by default. */
	clock?: ServerClock;
}

/**
 * The person's access token as sync calls show it (`Authorization: Bearer`, protocol 3);
 * sync/session-tokens.ts keeps it fresh.
 */
export interface SessionTokens {
	/** The token to show now; undefined when nobody is signed in on this device. */
	current(): Promise<string | undefined>;
	/**
	 * The server refused `shown` as expired: a fresh token, refreshed once for everyone
	 * who saw it expire. Throws SyncError: `signed_out` when the session cannot be renewed
	 * (the person signs in again; the queue waits), `offline` or `server` to try later.
	 */
	renew(shown: string): Promise<string>;
	/**
	 * The server refused the session shown for good (`session_invalid`, `device_revoked`),
	 * or asked for one when none was shown: it is forgotten (a revoked device forgets
	 * everything), and the SyncError to throw says the person must sign in to send.
	 */
	ended(shown: string | undefined, code: string): Promise<SyncError>;
}

/** Refusals of the session shown that no refresh can mend: the person signs in again. */
export const SESSION_ENDED = new Set<string | undefined>(['session_invalid', 'device_revoked']);

/**
 * Refusals of a signature's time or nonce, not of the request: signed again (by the clock
 * the refusal just corrected, with a new nonce) it goes through. `replayed_request` reaches
 * an honest device only when the network delivered its request twice.
 */
const RESIGN = new Set<string | undefined>(['stale_request', 'replayed_request']);

/** Tells the server this device's public key (`POST /api/sync/register`); idempotent. */
export async function registerDevice(
	device: DeviceIdentity,
	{
		baseUrl = '',
		fetch = globalThis.fetch.bind(globalThis),
		clock = pageClock
	}: HttpTransportOptions = {}
): Promise<void> {
	await exchange(
		fetch,
		RegisterResponse,
		`${baseUrl}/api/sync/register`,
		{
			method: 'POST',
			headers: {
				[Header.protocol]: String(PROTOCOL_VERSION),
				[Header.device]: device.id,
				'Content-Type': 'application/json'
			},
			body: JSON.stringify({ publicKey: device.publicKey })
		},
		clock
	);
}

/** A signed call to the server: the answer's schema, the method, the path, a gzipped body. */
export type SignedCall = <T>(
	schema: v.GenericSchema<unknown, T>,
	method: 'GET' | 'POST',
	pathAndQuery: string,
	body?: Uint8Array<ArrayBuffer>
) => Promise<T>;

/**
 * Signed calls to the server as this device. Every request is signed with the device
 * key, by the server's clock; a server that does not know the device (a new server, a
 * restored database) is told about it and the request sent again, and one that found the
 * time stale (the device's clock is off) is sent it again signed by the time it answered.
 */
export function signedCalls(
	device: DeviceIdentity,
	{
		baseUrl = '',
		fetch = globalThis.fetch.bind(globalThis),
		clock = pageClock,
		session
	}: HttpTransportOptions & {
		/** The person's session, shown on every call (protocol 3); none: the device's own calls. */
		session?: SessionTokens;
	} = {}
): SignedCall {
	const register = () => registerDevice(device, { baseUrl, fetch, clock });

	return async function signed<T>(
		schema: v.GenericSchema<unknown, T>,
		method: 'GET' | 'POST',
		pathAndQuery: string,
		body?: Uint8Array<ArrayBuffer>
	): Promise<T> {
		let token = await session?.current();
		// Signed afresh for every attempt: a new nonce, and the time by the clock as it is now.
		const send = async () => {
			const headers = await deviceRequestHeaders(device, clock, { method, pathAndQuery, body });
			if (token) headers['Authorization'] = `Bearer ${token}`;
			if (body) {
				headers['Content-Type'] = 'application/json';
				headers['Content-Encoding'] = 'gzip';
			}
			return exchange(fetch, schema, baseUrl + pathAndQuery, { method, headers, body }, clock);
		};
		// Each repair at most once per call: a server that keeps refusing is the engine's to
		// wait out with its back-off, and the outbox is not touched meanwhile.
		let registered = false;
		let resigned = false;
		let renewed = false;
		for (;;) {
			try {
				return await send();
			} catch (error) {
				if (!(error instanceof SyncError)) throw error;
				if (error.code === 'unknown_device' && !registered) {
					registered = true;
					await register();
				} else if (RESIGN.has(error.code) && !resigned) resigned = true;
				else if (session && token && error.code === 'session_expired' && !renewed) {
					renewed = true;
					token = await session.renew(token);
				} else if (session && SESSION_ENDED.has(error.code)) {
					throw await session.ended(token, error.code!);
				} else throw error;
			}
		}
	};
}

/**
 * The transport over HTTP to the sync server, every call signed (signedCalls) and showing
 * the person's session when one is given.
 */
export function httpTransport(
	device: DeviceIdentity,
	options: HttpTransportOptions & { session?: SessionTokens } = {}
): SyncTransport {
	const signed = signedCalls(device, options);

	return {
		async push(mutations) {
			const body = await gzip(JSON.stringify({ mutations }));
			const response = await signed(PushResponse, 'POST', '/api/sync/push', body);
			return { ...response, bytesSent: body.byteLength };
		},
		pull: (cursor) =>
			signed(
				PullResponse,
				'GET',
				'/api/sync/pull' + (cursor ? `?cursor=${encodeURIComponent(cursor)}` : '')
			)
	};
}
