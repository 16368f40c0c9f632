/**
 * Which trusted key signed a COSE_Sign1: the one step a document's code and the revocation
 * list share, kept apart from the claims so the list is read without the templates.
 */
import { toBase64url } from '../base64url';
import { SIGNING_ALGORITHM, signatureHolds, type SignedCode } from './cose';
import type { TrustList, TrustedKey } from './trust';

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
