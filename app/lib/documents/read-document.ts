/**
 * The claims of a document this device was sent, read from its code. The device trusts its
 * own server's sync for where the code came from; the signature is for whoever checks the
 * paper (`/verify`). Undefined for a code this app cannot read (a newer kind of document).
 */
import { decodeClaims, type DocumentClaims } from '../../../shared/documents/claims';
import { readCode } from '../../../shared/documents/code';

export async function readDocument(code: string): Promise<DocumentClaims | undefined> {
	const parts = await readCode(code);
	if (typeof parts === 'string') return undefined;
	const claims = decodeClaims(parts.payload);
	return typeof claims === 'string' ? undefined : claims;
}
