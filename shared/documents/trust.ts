/**
 * The trust list: every key Dala has signed documents with, as `GET /api/documents/keys`
 * publishes it and the app keeps for checking documents with no network. Keys are never
 * removed from it: a retired key still vouches for what it signed while it was in force.
 */
import * as v from 'valibot';

const Instant = v.pipe(v.string(), v.isoTimestamp());

export const TrustedKey = v.object({
	/** base64url of the 8-byte key id a document's protected header names. */
	id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{11}$/)),
	/** The public half, a P-256 JWK. */
	publicKey: v.object({
		kty: v.literal('EC'),
		crv: v.literal('P-256'),
		x: v.string(),
		y: v.string()
	}),
	createdAt: Instant,
	/** From then it signs nothing; what it signed before stays genuine. */
	retiredAt: v.optional(Instant),
	/** Nothing it signed from then is genuine: its private half may be in other hands. */
	compromisedAt: v.optional(Instant)
});
export type TrustedKey = v.InferOutput<typeof TrustedKey>;

export const TrustList = v.object({ keys: v.array(TrustedKey) });
export type TrustList = v.InferOutput<typeof TrustList>;

export type KeyVerdict =
	| { trusted: true }
	/** Signed after the key retired: no server signs with a retired key. */
	| { trusted: false; why: 'retired' }
	/** Signed at or after the key's compromise. */
	| { trusted: false; why: 'compromised' };

/**
 * Whether `key` vouches for what it signed at `issuedAt`. The time is the document's own
 * (signed with it), so a thief of a compromised key could backdate: the compromise time is
 * set to the earliest moment the key may have left our hands, never the moment it was found.
 */
export function keyVouches(key: TrustedKey, issuedAt: Date): KeyVerdict {
	const at = issuedAt.getTime();
	if (key.compromisedAt && at >= Date.parse(key.compromisedAt)) {
		return { trusted: false, why: 'compromised' };
	}
	if (key.retiredAt && at > Date.parse(key.retiredAt)) return { trusted: false, why: 'retired' };
	return { trusted: true };
}
