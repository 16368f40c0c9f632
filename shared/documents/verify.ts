/**
 * Checking a document's code with nothing but the trust list: what `/verify` answers on a
 * phone with no network, and what the server's tests hold it to. Every input gets an
 * answer; nothing here throws on what a camera or a person hands it.
 */
import { toBase64url } from './base64url';
import { readCode } from './code';
import { SIGNING_ALGORITHM, signatureHolds, type SignedCode } from './cose';
import { decodeClaims, type DocumentClaims } from './claims';
import { templateOf } from './templates';
import { keyVouches, type TrustList, type TrustedKey } from './trust';

export type Verdict =
	/** Signed by a key Dala trusts for that moment, and still in force. */
	| { kind: 'genuine'; claims: DocumentClaims }
	/** Genuine, but its last valid day has passed. */
	| { kind: 'expired'; claims: DocumentClaims; validUntil: string }
	/** The signature does not hold, or its key was not trusted when it signed. */
	| { kind: 'not_genuine' }
	/** Signed by a key not in this trust list: a newer key the device has not heard of yet. */
	| { kind: 'unknown_key' }
	/** Genuine, of a service this app does not know yet: a newer app shows it. */
	| { kind: 'unknown_form' }
	/** Not a Dala code: a web address, another system's certificate. */
	| { kind: 'not_dala' }
	/** A Dala prefix on text that is no code: characters or a length base45 never has. */
	| { kind: 'unreadable' };

const imported = new WeakMap<TrustedKey, Promise<CryptoKey | undefined>>();

/** The key as WebCrypto's, once per trusted key; undefined for one that is no P-256 point. */
function publicKey(key: TrustedKey): Promise<CryptoKey | undefined> {
	let found = imported.get(key);
	if (!found) {
		found = crypto.subtle
			.importKey('jwk', { ...key.publicKey, ext: true }, SIGNING_ALGORITHM, false, ['verify'])
			.catch(() => undefined);
		imported.set(key, found);
	}
	return found;
}

/**
 * The trusted key whose private half made `code`'s signature; `unknown_key` when the trust
 * list has no key of its id, `not_genuine` when that key did not sign it. Whether the key
 * vouched for the moment it signed is the caller's to ask (`keyVouches`): only the signed
 * bytes say when that was.
 */
export async function signerOf(
	code: SignedCode,
	trust: TrustList
): Promise<TrustedKey | 'unknown_key' | 'not_genuine'> {
	const id = toBase64url(code.keyId);
	const key = trust.keys.find((k) => k.id === id);
	if (!key) return 'unknown_key';
	const verifier = await publicKey(key);
	if (!verifier || !(await signatureHolds(code, verifier))) return 'not_genuine';
	return key;
}

/**
 * What `text` is worth: checked against `trust`, its validity against `today` (ISO date in
 * Kazakhstan). Revocation is the revocation list's to add (revocation.ts).
 */
export async function verifyCode(text: string, trust: TrustList, today: string): Promise<Verdict> {
	const code = await readCode(text);
	if (code === 'not_dala' || code === 'unreadable') return { kind: code };
	if (code === 'altered') return { kind: 'not_genuine' };
	const key = await signerOf(code, trust);
	if (key === 'unknown_key' || key === 'not_genuine') return { kind: key };
	const claims = decodeClaims(code.payload);
	// Signed by our key yet not our claims: only a bug of ours could make that. Not genuine
	// rather than shown half-read.
	if (claims === 'malformed') return { kind: 'not_genuine' };
	if (claims === 'unknown_form') return { kind: 'unknown_form' };
	if (!keyVouches(key, claims.issuedAt).trusted) return { kind: 'not_genuine' };
	const template = templateOf(claims.serviceId);
	const validUntil = template?.validUntil && claims.answers[template.validUntil];
	if (validUntil && validUntil < today) return { kind: 'expired', claims, validUntil };
	return { kind: 'genuine', claims };
}
