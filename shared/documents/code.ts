/**
 * The text in a document's QR code, built as the EU Digital COVID Certificate builds its
 * own: claims (claims.ts) → COSE_Sign1 signed with ES256 → zlib → base45 → a prefix.
 *
 *   DL1:<base45(deflate(COSE_Sign1))>
 *
 * Base45 uses only the characters of the QR code's alphanumeric mode, which packs 5.5 bits
 * per character against 8 for bytes: the same claims make a smaller code than base64 would.
 * ES256 is the one signature WebCrypto offers on every browser and on Node, so the server
 * signs and any phone verifies with the platform's own implementation. The protected header
 * carries the signing key's 8-byte id, which picks the key from the trust list.
 */
import { base45 } from './base45';
import { MAX_CODE_CHARS } from './limits';
import { decode, encode, Tagged } from 'cborg';

export const CODE_PREFIX = 'DL1:';
/** COSE_Sign1's CBOR tag (RFC 9052). */
const COSE_SIGN1 = 18;
/** COSE header labels and the algorithm id of ES256. */
const ALG = 1;
const KID = 4;
const ES256 = -7;
export const KEY_ID_BYTES = 8;
/**
 * The most bytes the compressed part may inflate to. Dala's largest document is under 1 KB:
 * a code that would inflate further is refused, not inflated (a deflate bomb fits in a QR).
 */
export const MAX_SIGNED_BYTES = 8192;

export const SIGNING_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNATURE = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A code taken apart, its signature not yet checked. */
export interface SignedCode {
	keyId: Uint8Array;
	/** The claims' bytes (claims.ts). */
	payload: Uint8Array;
	/** What the signature covers (COSE's Sig_structure). */
	signed: Uint8Array;
	signature: Uint8Array;
}

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

/** COSE's Sig_structure for a Sign1 with no external data. */
function sigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
	return encode(['Signature1', protectedHeader, new Uint8Array(0), payload]);
}

/** Signs claims' bytes with `key`, whose id is `keyId`, into the text a QR code carries. */
export async function signCode(
	payload: Uint8Array,
	key: { keyId: Uint8Array; privateKey: CryptoKey }
): Promise<string> {
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
	const cose = encode(new Tagged(COSE_SIGN1, [protectedHeader, new Map(), payload, signature]));
	return CODE_PREFIX + base45.encode(await deflate(cose));
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
	if (!cose) return 'altered';
	let parts: unknown;
	try {
		parts = decode(cose, {
			useMaps: true,
			strict: true,
			rejectDuplicateMapKeys: true,
			tags: { [COSE_SIGN1]: Tagged.decoder(COSE_SIGN1) }
		});
	} catch {
		return 'altered';
	}
	if (parts instanceof Tagged) parts = parts.value;
	if (!Array.isArray(parts) || parts.length !== 4) return 'altered';
	const [protectedHeader, , payload, signature] = parts as unknown[];
	if (
		!(protectedHeader instanceof Uint8Array) ||
		!(payload instanceof Uint8Array) ||
		!(signature instanceof Uint8Array) ||
		signature.length !== 64
	) {
		return 'altered';
	}
	let header: unknown;
	try {
		header = decode(protectedHeader, { useMaps: true, strict: true, rejectDuplicateMapKeys: true });
	} catch {
		return 'altered';
	}
	// Only ES256: a code naming another algorithm is not ours, whatever it says.
	if (!(header instanceof Map) || header.get(ALG) !== ES256) return 'altered';
	const keyId: unknown = header.get(KID);
	if (!(keyId instanceof Uint8Array) || keyId.length !== KEY_ID_BYTES) return 'altered';
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

async function deflate(data: Uint8Array): Promise<Uint8Array> {
	const stream = new Blob([bytes(data)]).stream().pipeThrough(new CompressionStream('deflate'));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The inflated bytes, or undefined when they are not zlib or exceed `limit` bytes. */
async function inflate(data: Uint8Array, limit: number): Promise<Uint8Array | undefined> {
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
