/**
 * Sends a fuzzed request as its signer would and judges the answer: never a 5xx; every
 * refusal a JSON error with a code the protocol lists; and a refused request changed no
 * table and no upload (authorization/snapshot.ts).
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { tusSigningBody } from '../../../shared/files';
import { ErrorCode } from '../../../shared/errors';
import { Header, PROTOCOL_VERSION } from '../../../shared/protocol';
import {
	DOOR_CODES,
	REFUSAL_WRITES,
	changed,
	withoutBookkeeping,
	type Snapshot
} from '../authorization/snapshot';
import type { World } from '../authorization/world';
import { signatureHeaders, type App, type Device } from '../helpers';
import type { FuzzRequest, Signer } from './arbitraries';

const CODES = new Set<string>(Object.values(ErrorCode));

/** The session token `fuzzed` shows, as the world holds it when it is sent. */
function sessionToken(world: World, { signer, session }: FuzzRequest): string | undefined {
	const own: Partial<Record<Signer, string>> = {
		alice: world.alice.session.accessToken,
		bob: world.bob.session.accessToken,
		// Its only session is the expired one.
		aliceSecondDevice: world.expiredToken,
		regionReviewer: world.regionReviewer.accessToken,
		otherReviewer: world.otherReviewer.accessToken,
		administrator: world.administrator.accessToken
	};
	switch (session.shown) {
		case 'none':
			return undefined;
		case 'own':
			return own[signer];
		case 'expired':
			return world.expiredToken;
		case 'another':
			return signer === 'alice' ? world.bob.session.accessToken : world.alice.session.accessToken;
		case 'signedOut':
			return world.signedOut.accessToken;
		case 'malformed':
			return session.junk;
	}
}

/** The Request for `fuzzed`, or undefined when no client could even build it. */
export async function build(world: World, fuzzed: FuzzRequest): Promise<Request | undefined> {
	const headers = new Headers({ [Header.protocol]: String(PROTOCOL_VERSION) });
	if (fuzzed.body) headers.set('Content-Type', 'application/json');
	try {
		for (const [name, value] of fuzzed.headers) headers.set(name, value);
	} catch {
		return undefined; // a header value fetch itself refuses to send
	}
	const device: Device | undefined = {
		alice: world.alice.device,
		aliceSecondDevice: world.aliceSecondDevice,
		bob: world.bob.device,
		regionReviewer: world.regionReviewer.device,
		otherReviewer: world.otherReviewer.device,
		administrator: world.administrator.device,
		unknownDevice: world.unknownDevice,
		nobody: undefined
	}[fuzzed.signer];
	const token = sessionToken(world, fuzzed);
	if (token !== undefined && !headers.has('Authorization')) {
		headers.set('Authorization', `Bearer ${token}`);
	}
	// GET and HEAD cannot carry a body in fetch; the body is dropped, not the request.
	const body =
		fuzzed.method.toUpperCase() === 'GET' || fuzzed.method.toUpperCase() === 'HEAD'
			? undefined
			: fuzzed.body;
	let url: URL;
	try {
		url = new URL(`http://localhost${fuzzed.path}`);
	} catch {
		return undefined;
	}
	if (device) {
		// Signed over what is sent, as the server will see it, so the request reaches
		// whatever comes after the signature check.
		const pathAndQuery = `${url.pathname}${url.search}`;
		const signed = url.pathname.startsWith('/api/files')
			? tusSigningBody(headers)
			: (body ?? new Uint8Array());
		const credentials = await signatureHeaders(device, fuzzed.method, pathAndQuery, signed);
		for (const [name, value] of Object.entries(credentials)) headers.set(name, value);
	}
	try {
		for (const [name, value] of fuzzed.after) headers.set(name, value);
		return new Request(url, {
			method: fuzzed.method,
			headers,
			...(body ? { body: body as Uint8Array<ArrayBuffer> } : {})
		});
	} catch {
		return undefined;
	}
}

function decoded(bytes: Uint8Array, encoding: string | null): Uint8Array {
	if (encoding === 'gzip') return gunzipSync(bytes);
	if (encoding === 'deflate') return inflateSync(bytes);
	if (encoding === 'br') return brotliDecompressSync(bytes);
	return bytes;
}

type ErrorAnswer = { error?: { code?: unknown }; status?: unknown };

function parsed(bytes: Uint8Array, encoding: string | null): ErrorAnswer | undefined {
	try {
		return JSON.parse(new TextDecoder().decode(decoded(bytes, encoding))) as ErrorAnswer;
	} catch {
		return undefined;
	}
}

/**
 * What a refusal with `code` may have written: nothing at the door; after the signature
 * check, the bookkeeping tables (a refused guess still counts), and the audit log for the
 * refusals it records.
 */
function unexpectedWrites(written: string[], code: unknown): string[] {
	if (typeof code !== 'string' || DOOR_CODES.has(code)) return written;
	const allowed = REFUSAL_WRITES[code] ?? [];
	return withoutBookkeeping(written).filter((name) => !allowed.includes(name));
}

/** A decision answered 409 with the application's state (stale, closed, a move the table lacks): not an error. */
const isDecision = (status: number, path: string) =>
	status === 409 && /^\/api\/(review|office)\/applications\/[^/]+\/decision$/.test(path);

/** True when a refusal's body says why in a code the protocol lists. */
function isMachineReadable(status: number, path: string, body: ErrorAnswer | undefined): boolean {
	if (!body) return false;
	// A decision made on a stale version answers its outcome, not an error
	// (docs/sync-protocol.md): there `status` is the machine-readable code.
	if (isDecision(status, path)) {
		return body.status === 'conflict' || body.status === 'closed' || body.status === 'not_allowed';
	}
	return typeof body.error?.code === 'string' && CODES.has(body.error.code);
}

/** What is wrong with the answer to `request`, or undefined when nothing is. */
export async function judge(
	app: App,
	request: Request,
	before: Snapshot,
	take: () => Promise<Snapshot>
): Promise<{ problem?: string; after: Snapshot; status: number }> {
	const method = request.method;
	const path = new URL(request.url).pathname;
	const res = await app.request(request);
	const bytes = new Uint8Array(await res.arrayBuffer());
	const after = await take();
	const where = `${method} ${path.slice(0, 200)} → ${res.status}`;
	if (res.status >= 500) return { problem: `${where}: a 5xx`, after, status: res.status };
	if (res.status < 400) return { after, status: res.status };

	const body = method === 'HEAD' ? undefined : parsed(bytes, res.headers.get('Content-Encoding'));
	// A HEAD refusal has no body to say whether it passed the door: its bookkeeping is let be.
	// A stale decision answers its outcome (`conflict`, `closed`) in place of an error code.
	const code =
		method === 'HEAD'
			? 'head'
			: (body?.error?.code ?? (isDecision(res.status, path) ? body?.status : undefined));
	const written = unexpectedWrites(changed(before, after), code);
	if (written.length > 0) {
		return {
			problem: `${where}: refused, yet wrote ${written.join(', ')}`,
			after,
			status: res.status
		};
	}
	if (method === 'HEAD') return { after, status: res.status };
	if (!isMachineReadable(res.status, path, body)) {
		const shown = new TextDecoder().decode(bytes.subarray(0, 200));
		return { problem: `${where}: no machine-readable code in ${shown}`, after, status: res.status };
	}
	return { after, status: res.status };
}
