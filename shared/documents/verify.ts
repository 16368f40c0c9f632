/**
 * Checking a document's code with nothing but the trust list: what `/verify` answers on a
 * phone with no network, and what the server's tests hold it to. Every input gets an
 * answer; nothing here throws on what a camera or a person hands it.
 */
import { readCode } from './code';
import { decodeClaims, type DocumentClaims } from './claims';
import { templateOf } from './templates';
import { signerOf } from './signer';
import { keyVouches, type TrustList } from './trust';

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
