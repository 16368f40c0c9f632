/**
 * Who sends a request in the authorization matrix, and how each one's credentials are put
 * on it. An endpoint's row names the request; the actor signs it (or not). Adding a kind
 * of caller (a signed-in citizen, an officer, a revoked device) is one entry here and one
 * column in every row of table.ts, which the type then demands.
 */
import { tusSigningBody } from '../../../shared/files';
import { Header, PROTOCOL_VERSION } from '../../../shared/protocol';
import { signatureHeaders, type Device } from '../helpers';
import type { World } from './world';

/** The review token the matrix app is configured with. */
export const REVIEW_TOKEN = 'matrix-review-token-0123456789';

/** A request as an endpoint's row describes it, before anyone's credentials are added. */
export interface RequestSpec {
	method: string;
	/** Path and query, exactly as sent (and signed). */
	path: string;
	/** Headers that are not credentials: Content-Type, the tus headers. */
	headers?: Record<string, string>;
	body?: Uint8Array;
	/** What a device signs besides method and path: the body (sync calls) or the tus headers. */
	signs: 'body' | 'tus';
}

export const ACTORS = [
	/** No credentials at all: only the protocol header every client sends. */
	'nobody',
	/** Alice's first device, signing correctly: it made every record of Alice's. */
	'alice',
	/** Alice's second device, linked to the first: same owner, another device. */
	'aliceSecondDevice',
	/** Another owner's device, signing correctly. */
	'bob',
	/** Once Alice's, revoked: it signs correctly and belongs to nobody now. */
	'revokedDevice',
	/** A device that signs correctly with a key the server never registered. */
	'unknownDevice',
	/** Claims to be Alice's device, signed with another key. */
	'forged',
	/** Alice's own signature, over a request that was changed after signing. */
	'tampered',
	/** The back-office bearer token, and no device. */
	'reviewer',
	/** A bearer token that is not the review token. */
	'wrongToken'
] as const;
export type Actor = (typeof ACTORS)[number];

const protocol = { [Header.protocol]: String(PROTOCOL_VERSION) };

function signedBytes(spec: RequestSpec): Uint8Array {
	return spec.signs === 'tus'
		? tusSigningBody(new Headers(spec.headers))
		: (spec.body ?? new Uint8Array());
}

/** `spec` with `headers` added, as a request to hand to `app.request`. */
function init(spec: RequestSpec, headers: Record<string, string>, body = spec.body) {
	return {
		path: spec.path,
		init: {
			method: spec.method,
			headers: { ...spec.headers, ...headers },
			...(body ? { body: body as Uint8Array<ArrayBuffer> } : {})
		} satisfies RequestInit
	};
}

const signedBy = async (device: Device, spec: RequestSpec, signKey?: CryptoKey) =>
	init(
		spec,
		await signatureHeaders(device, spec.method, spec.path, signedBytes(spec), {
			...(signKey ? { signKey } : {})
		})
	);

/** The request `actor` sends for `spec` in `world`: the path and what to pass to app.request. */
export async function asActor(
	actor: Actor,
	world: World,
	spec: RequestSpec
): Promise<{ path: string; init: RequestInit }> {
	switch (actor) {
		case 'nobody':
			return init(spec, protocol);
		case 'alice':
			return signedBy(world.alice.device, spec);
		case 'aliceSecondDevice':
			return signedBy(world.aliceSecondDevice, spec);
		case 'bob':
			return signedBy(world.bob.device, spec);
		case 'revokedDevice':
			return signedBy(world.revokedDevice, spec);
		case 'unknownDevice':
			return signedBy(world.unknownDevice, spec);
		case 'forged':
			return signedBy(world.alice.device, spec, world.unknownDevice.privateKey);
		case 'tampered': {
			// Signed as sent, then changed in something the signature covers: a body that
			// is still valid JSON, or else a query parameter every route would ignore.
			const honest = await signedBy(world.alice.device, spec);
			if (spec.signs === 'body' && spec.body?.length) {
				const body = new Uint8Array([...spec.body, 0x20]);
				return { path: spec.path, init: { ...honest.init, body } };
			}
			const path = `${spec.path}${spec.path.includes('?') ? '&' : '?'}tampered=1`;
			return { path, init: honest.init };
		}
		case 'reviewer':
			return init(spec, { ...protocol, Authorization: `Bearer ${REVIEW_TOKEN}` });
		case 'wrongToken':
			return init(spec, { ...protocol, Authorization: `Bearer not-${REVIEW_TOKEN}` });
	}
}
