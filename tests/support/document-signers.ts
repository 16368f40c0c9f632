/** Signing keys made on the spot, with the trust list entry each would have. */
import { SIGNING_ALGORITHM } from '../../shared/documents/cose';
import type { TrustedKey } from '../../shared/documents/trust';

export interface Signer {
	trusted: TrustedKey;
	keyId: Uint8Array;
	privateKey: CryptoKey;
}

/** A new P-256 key whose 8-byte id is `id` repeated; `times` retire or compromise it. */
export async function signer(id: number, times: Partial<TrustedKey> = {}): Promise<Signer> {
	const pair = (await crypto.subtle.generateKey(SIGNING_ALGORITHM, true, [
		'sign',
		'verify'
	])) as CryptoKeyPair;
	const { x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
	const keyId = new Uint8Array(8).fill(id);
	return {
		keyId,
		privateKey: pair.privateKey,
		trusted: {
			id: Buffer.from(keyId).toString('base64url'),
			publicKey: { kty: 'EC', crv: 'P-256', x: x!, y: y! },
			createdAt: '2026-01-01T00:00:00.000Z',
			...times
		}
	};
}
