/**
 * The text in a document's QR code, built as the EU Digital COVID Certificate builds its
 * own: claims (claims.ts) → COSE_Sign1 signed with ES256 (cose.ts) → zlib → base45 → a
 * prefix.
 *
 *   DL1:<base45(deflate(COSE_Sign1))>
 *
 * Base45 uses only the characters of the QR code's alphanumeric mode, which packs 5.5 bits
 * per character against 8 for bytes: the same claims make a smaller code than base64 would.
 */
import { base45 } from './base45';
import { deflate, inflate, openCose, signCose, type CoseSigner, type SignedCode } from './cose';
import { MAX_CODE_CHARS } from './limits';

export const CODE_PREFIX = 'DL1:';
/**
 * The most bytes the compressed part may inflate to. Dala's largest document is under 1 KB:
 * a code that would inflate further is refused, not inflated (a deflate bomb fits in a QR).
 */
export const MAX_SIGNED_BYTES = 8192;

export type CodeProblem =
	/** Not a Dala code at all: a web address, another country's certificate, plain text. */
	| 'not_dala'
	/** A Dala prefix, but what follows is not base45 (characters or length a code never has). */
	| 'unreadable'
	/**
	 * Base45 that does not unpack into a signed document: changed or cut after it was made.
	 * A QR code's own error correction gives a scanner the exact text or none, so a code that
	 * reads but does not unpack was altered: it is not genuine, whatever it says.
	 */
	| 'altered';

/**
 * Signs claims' bytes with `key` into the text a QR code carries. `compress` is zlib: the
 * server passes Node's, faster than a stream per document (sync-server/documents/compress.ts).
 */
export async function signCode(
	payload: Uint8Array,
	key: CoseSigner,
	compress: (data: Uint8Array) => Promise<Uint8Array> = deflate
): Promise<string> {
	return CODE_PREFIX + base45.encode(await compress(await signCose(payload, key)));
}

/** The parts of a code, or why it has none. Checks no signature: see `signatureHolds`. */
export async function readCode(text: string): Promise<SignedCode | CodeProblem> {
	// Safe although a space is a base45 character: the last character of base45 is at most
	// the 33rd of its alphabet, never the space (the 37th).
	const trimmed = text.trim();
	if (!trimmed.startsWith(CODE_PREFIX)) return 'not_dala';
	if (trimmed.length > MAX_CODE_CHARS) return 'unreadable';
	const compressed = base45.decode(trimmed.slice(CODE_PREFIX.length));
	if (compressed === 'invalid' || compressed.length === 0) return 'unreadable';
	if (compressed === 'changed') return 'altered';
	const cose = await inflate(compressed, MAX_SIGNED_BYTES);
	return (cose && openCose(cose)) || 'altered';
}
