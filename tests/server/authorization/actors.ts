/**
 * Who sends a request in the authorization matrix, and how each one's credentials are put
 * on it. An endpoint's row names the request; the actor signs it (or not) and shows a
 * session (or not). Adding a kind of caller is one entry here and one column in every row
 * of table.ts, which the type then demands.
 */
import { tusSigningBody } from '../../../shared/files';
import { Header, PROTOCOL_VERSION } from '../../../shared/protocol';
import { signatureHeaders, type Device } from '../helpers';
import type { World } from './world';

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
	/** Alice's first device, signing correctly and showing no session: it made her records. */
	'alice',
	/** Alice's second device, signed in as her (its session expired); no session shown. */
	'aliceSecondDevice',
	/** Bob's device, signing correctly, showing no session. */
	'bob',
	/** Once Alice's, revoked by her through the revoke endpoint: nobody's now. */
	'revokedDevice',
	/** A device that signs correctly with a key the server never registered. */
	'unknownDevice',
	/** Claims to be Alice's device, signed with another key. */
	'forged',
	/** Alice's own signature, over a request that was changed after signing. */
	'tampered',
	/**
	 * A bearer token that is no session (as the retired shared review token was), and no
	 * device: a token alone opens nothing.
	 */
	'bearerOnly',
	/** Citizen A: Alice signed in on her first device, with its live session. */
	'citizenA',
	/** Citizen B: Bob signed in on his device, with its live session. */
	'citizenB',
	/**
	 * Once Alice's, signed in and then out (POST /api/accounts/session/sign-out), which
	 * unbinds it as revoking does: nobody's now, showing the ended session.
	 */
	'signedOut',
	/** The revoked device showing the session it had of Alice's before she revoked it. */
	'revokedSession',
	/** Alice's second device showing its own session, expired. */
	'expiredSession',
	/** Bob's device showing the session Alice has on her first device: a stolen token. */
	'stolenSession',
	/** An officer of Alice's region, signed in on a device of their own. */
	'officer',
	/** A reviewer of Alice's region, signed in. */
	'regionReviewer',
	/** A reviewer of Bob's region (another than Alice's), signed in. */
	'otherReviewer',
	/** A reviewer of the national queue (region `national`), signed in. */
	'nationalReviewer',
	/** An administrator, signed in. */
	'administrator',
	/** A registered device that nobody signed in on and no account holds. */
	'anonymous'
] as const;
export type Actor = (typeof ACTORS)[number];

/** The registered devices that show no session: their answers are the device columns. */
export type DeviceActor = 'alice' | 'aliceSecondDevice' | 'bob' | 'revokedDevice';
/** The actors signed in with a live session of the device they sign with. */
export type SignedInActor =
	| 'citizenA'
	| 'citizenB'
	| 'officer'
	| 'regionReviewer'
	| 'otherReviewer'
	| 'nationalReviewer'
	| 'administrator';
/** The staff among them. */
export type StaffActor = Exclude<SignedInActor, 'citizenA' | 'citizenB'>;
export const STAFF: readonly StaffActor[] = [
	'officer',
	'regionReviewer',
	'otherReviewer',
	'nationalReviewer',
	'administrator'
];

/**
 * The device column each other signing actor answers as, to an endpoint that asks for a
 * device and not for a session: the session shown is not looked at there, so what counts
 * is whose device signs. Staff and anonymous devices are nobody's account and hold no
 * records, as a revoked device.
 */
export const SIGNS_AS: Record<
	Exclude<Actor, DeviceActor | 'nobody' | 'unknownDevice' | 'forged' | 'tampered' | 'bearerOnly'>,
	DeviceActor
> = {
	citizenA: 'alice',
	citizenB: 'bob',
	signedOut: 'revokedDevice',
	revokedSession: 'revokedDevice',
	expiredSession: 'aliceSecondDevice',
	stolenSession: 'bob',
	officer: 'revokedDevice',
	regionReviewer: 'revokedDevice',
	otherReviewer: 'revokedDevice',
	nationalReviewer: 'revokedDevice',
	administrator: 'revokedDevice',
	anonymous: 'revokedDevice'
};

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

const signedBy = async (
	device: Device,
	spec: RequestSpec,
	{ signKey, session }: { signKey?: CryptoKey; session?: string } = {}
) =>
	init(spec, {
		...(await signatureHeaders(device, spec.method, spec.path, signedBytes(spec), {
			...(signKey ? { signKey } : {})
		})),
		...(session ? { Authorization: `Bearer ${session}` } : {})
	});

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
			return signedBy(world.alice.device, spec, { signKey: world.unknownDevice.privateKey });
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
		case 'bearerOnly':
			return init(spec, { ...protocol, Authorization: 'Bearer matrix-review-token-0123456789' });
		case 'citizenA':
			return signedBy(world.alice.device, spec, { session: world.alice.session.accessToken });
		case 'citizenB':
			return signedBy(world.bob.device, spec, { session: world.bob.session.accessToken });
		case 'signedOut':
			return signedBy(world.signedOut.device, spec, { session: world.signedOut.accessToken });
		case 'revokedSession':
			return signedBy(world.revokedDevice, spec, { session: world.revoked.accessToken });
		case 'expiredSession':
			return signedBy(world.aliceSecondDevice, spec, { session: world.expiredToken });
		case 'stolenSession':
			return signedBy(world.bob.device, spec, { session: world.alice.session.accessToken });
		case 'officer':
		case 'regionReviewer':
		case 'otherReviewer':
		case 'nationalReviewer':
		case 'administrator':
			return signedBy(world[actor].device, spec, { session: world[actor].accessToken });
		case 'anonymous':
			return signedBy(world.anonymous, spec);
	}
}
