/**
 * COSE_Sign1 with ES256 (RFC 9052), as both of Dala's signed things use it: a document's
 * code (code.ts) and the revocation list (revocation.ts). The protected header names the
 * algorithm and the signing key's 8-byte id, which picks the key from the trust list.
 *
 * ES256 is the one signature WebCrypto offers on every browser and on Node, so the server
 * signs and any phone verifies with the platform's own implementation.
 */
import { decode, encode, Tagged } from 'cborg';

/** COSE_Sign1's CBOR tag. */
const COSE_SIGN1 = 18;
/** COSE header labels and the algorithm id of ES256. */
const ALG = 1;
const KID = 4;
const ES256 = -7;
export const KEY_ID_BYTES = 8;

export const SIGNING_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNATURE = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A private key and the id the trust list knows its public half by. */
export interface CoseSigner {
	keyId: Uint8Array;
	privateKey: CryptoKey;
}

/** A COSE_Sign1 taken apart, its signature not yet checked. */
export interface SignedCode {
	keyId: Uint8Array;
	/** The signed bytes: a document's claims, or a revocation list. */
	payload: Uint8Array;
	/** What the signature covers (COSE's Sig_structure). */
	signed: Uint8Array;
	signature: Uint8Array;
}

/** COSE's Sig_structure for a Sign1 with no external data. */
function sigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
	return encode(['Signature1', protectedHeader, new Uint8Array(0), payload]);
}

/** `payload` signed with `key`, as COSE_Sign1's bytes. */
export async function signCose(payload: Uint8Array, key: CoseSigner): Promise<Uint8Array> {
	if (key.keyId.length !== KEY_ID_BYTES) throw new Error('a key id is 8 bytes');
	const protectedHeader = encode(
		new Map<number, unknown>([
			[ALG, ES256],
			[KID, key.keyId]
		])
	);
	// WebCrypto's ECDSA signature is r ‖ s, 64 bytes: COSE's own form, no DER to undo.
	const signature = new Uint8Array(
		await crypto.subtle.sign(
			SIGNATURE,
			key.privateKey,
			bytes(sigStructure(protectedHeader, payload))
		)
	);
	return encode(new Tagged(COSE_SIGN1, [protectedHeader, new Map(), payload, signature]));
}

/**
 * The parts of COSE_Sign1's bytes, or undefined when they are none: not CBOR, not a Sign1,
 * or an algorithm other than ES256 (whatever such bytes say, they are not ours).
 */
export function openCose(cose: Uint8Array): SignedCode | undefined {
	let parts: unknown;
	try {
		parts = decode(cose, {
			useMaps: true,
			strict: true,
			rejectDuplicateMapKeys: true,
			tags: { [COSE_SIGN1]: Tagged.decoder(COSE_SIGN1) }
		});
	} catch {
		return undefined;
	}
	if (parts instanceof Tagged) parts = parts.value;
	if (!Array.isArray(parts) || parts.length !== 4) return undefined;
	const [protectedHeader, , payload, signature] = parts as unknown[];
	if (
		!(protectedHeader instanceof Uint8Array) ||
		!(payload instanceof Uint8Array) ||
		!(signature instanceof Uint8Array) ||
		signature.length !== 64
	) {
		return undefined;
	}
	let header: unknown;
	try {
		header = decode(protectedHeader, { useMaps: true, strict: true, rejectDuplicateMapKeys: true });
	} catch {
		return undefined;
	}
	if (!(header instanceof Map) || header.get(ALG) !== ES256) return undefined;
	const keyId: unknown = header.get(KID);
	if (!(keyId instanceof Uint8Array) || keyId.length !== KEY_ID_BYTES) return undefined;
	return { keyId, payload, signed: sigStructure(protectedHeader, payload), signature };
}

/** Whether `code`'s signature was made by the private half of `publicKey`. */
export async function signatureHolds(code: SignedCode, publicKey: CryptoKey): Promise<boolean> {
	return crypto.subtle.verify(SIGNATURE, publicKey, bytes(code.signature), bytes(code.signed));
}

/** A view WebCrypto's types accept (a Uint8Array over a plain ArrayBuffer). */
function bytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
	return new Uint8Array(view);
}

/** zlib, as `CompressionStream('deflate')` makes it on every side. */
export async function deflate(data: Uint8Array): Promise<Uint8Array> {
	const stream = new Blob([bytes(data)]).stream().pipeThrough(new CompressionStream('deflate'));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The inflated bytes, or undefined when they are not zlib or exceed `limit` bytes: a
 * deflate bomb is refused as it inflates, never held whole.
 */
export async function inflate(data: Uint8Array, limit: number): Promise<Uint8Array | undefined> {
	const reader = new Blob([bytes(data)])
		.stream()
		.pipeThrough(new DecompressionStream('deflate'))
		.getReader();
	const chunks: Uint8Array[] = [];
	let length = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			length += value.length;
			if (length > limit) {
				void reader.cancel().catch(() => {});
				return undefined;
			}
			chunks.push(value);
		}
	} catch {
		return undefined;
	}
	const out = new Uint8Array(length);
	let offset = 0;
	for (const chunk of chunks) {
		out.set(chunk, offset);
		offset += chunk.length;
	}
	return out;
}
