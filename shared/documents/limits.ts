import * as v from 'valibot';

/**
 * The most characters a document's code may have: a QR code holds at most 4,296
 * alphanumerics. Anything longer is refused before any work. A module of its own so the
 * protocol can say so without bringing the codec into every page (nor the revocation list's
 * reader into the sync runner).
 */
export const MAX_CODE_CHARS = 4296;

/**
 * The most characters of a revocation list (revocation.ts): 2 MiB of bitstring, sixteen
 * million serials, at the worst compression, in base64url.
 */
export const MAX_LIST_CHARS = Math.ceil((2 * 1024 * 1024 * 1.01 * 4) / 3) + 1024;

/** `GET /api/documents/revoked`'s answer. */
export const RevocationListBody = v.object({
	list: v.pipe(v.string(), v.maxLength(MAX_LIST_CHARS))
});
export type RevocationListBody = v.InferOutput<typeof RevocationListBody>;
