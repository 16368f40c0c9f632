/**
 * Devices sign their sync requests with an ECDSA P-256 key made on the device (WebCrypto;
 * the private key never leaves it). The server verifies with the public key the device
 * registered. What is signed binds the method, the path with its query, the exact body
 * bytes sent, a time and a nonce, so a signature cannot be moved to another request nor
 * used twice.
 *
 * Isomorphic: only `crypto.subtle` and `TextEncoder`, which browsers and Node both have.
 */
import { toBase64url } from './base64url';
import { Header, type DevicePublicKey } from './protocol';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const encoder = new TextEncoder();

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
	const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

/** The RFC 7638 thumbprint of a P-256 public key: the device id. */
export async function deviceIdOf(key: DevicePublicKey): Promise<string> {
	// Members in lexicographic order, no white space: the RFC's canonical form.
	const canonical = `{"crv":"${key.crv}","kty":"${key.kty}","x":"${key.x}","y":"${key.y}"}`;
	return toBase64url(await crypto.subtle.digest('SHA-256', encoder.encode(canonical)));
}

/** A new device key pair; the private key cannot be exported, only used to sign. */
export async function generateDeviceKey(): Promise<{
	privateKey: CryptoKey;
	publicKey: DevicePublicKey;
}> {
	const pair = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
	const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
	return { privateKey: pair.privateKey, publicKey: { kty, crv, x, y } as DevicePublicKey };
}

/**
 * What a device signs: the request (method, path with its query, the SHA-256 of the body
 * bytes as sent) and when and which it is (`Dala-Time`, `Dala-Nonce`), so a signature
 * names one request at one moment. The server refuses a time outside its window and a
 * nonce it has seen, so a captured request cannot be sent again. Time and nonce are signed
 * as the header text itself: what the server checks is exactly what was signed.
 */
export interface SignedParts {
	method: string;
	pathAndQuery: string;
	/** The body bytes exactly as sent (the gzip bytes when compressed); empty for none. */
	body?: Uint8Array;
	/** `Dala-Time`: milliseconds since the epoch, by the server's clock as the device knows it. */
	time: string;
	/** `Dala-Nonce`: at least 128 random bits, base64url (`newNonce`). */
	nonce: string;
}

/** `Dala-Time`: a whole number of milliseconds, up to 16 digits (the year 318857). */
export const REQUEST_TIME = /^[0-9]{1,16}$/;
/** `Dala-Nonce`: 22 to 64 base64url characters; 22 carry 132 bits. */
export const REQUEST_NONCE = /^[A-Za-z0-9_-]{22,64}$/;

/** A fresh nonce: 128 bits from the platform's CSPRNG, base64url (22 characters). */
export function newNonce(): string {
	return toBase64url(crypto.getRandomValues(new Uint8Array(16)));
}

// A label of its own per way of signing, so a signature made one way never verifies as a
// request signed another. Protocol 3 signs as protocol 2 did: the session it adds is
// bound to the device on the server, so a copied token is useless without the key.
const SIGNING_LABEL = 'dala-request-2';

async function signingInput({ method, pathAndQuery, body, time, nonce }: SignedParts) {
	const bytes = (body ?? new Uint8Array()) as Uint8Array<ArrayBuffer>;
	const digest = toBase64url(await crypto.subtle.digest('SHA-256', bytes));
	return encoder.encode(
		[SIGNING_LABEL, method.toUpperCase(), pathAndQuery, digest, time, nonce].join('\n')
	);
}

/** The `Dala-Signature` header value for a request. */
export async function signRequest(privateKey: CryptoKey, parts: SignedParts): Promise<string> {
	return toBase64url(await crypto.subtle.sign(SIGNING, privateKey, await signingInput(parts)));
}

/**
 * The headers that sign a request made now: `Dala-Time` (`time`, milliseconds by the
 * server's clock), a fresh `Dala-Nonce` and `Dala-Signature` over both and the request.
 * Made at send time, for every attempt: a request signed ahead goes stale in the window.
 */
export async function signatureHeaders(
	privateKey: CryptoKey,
	request: Omit<SignedParts, 'time' | 'nonce'>,
	time: number
): Promise<Record<string, string>> {
	const parts = { ...request, time: String(Math.round(time)), nonce: newNonce() };
	return {
		[Header.time]: parts.time,
		[Header.nonce]: parts.nonce,
		[Header.signature]: await signRequest(privateKey, parts)
	};
}

/** A device's public key ready to verify with; importing costs more than verifying. */
export function importDeviceKey(publicKey: DevicePublicKey): Promise<CryptoKey> {
	return crypto.subtle.importKey('jwk', publicKey, ALGORITHM, false, ['verify']);
}

/** True when `signature` is the device's signature of exactly this request. */
export async function verifyRequest(
	publicKey: DevicePublicKey | CryptoKey,
	signature: string,
	parts: SignedParts
): Promise<boolean> {
	if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) return false;
	const key = publicKey instanceof CryptoKey ? publicKey : await importDeviceKey(publicKey);
	return crypto.subtle.verify(SIGNING, key, fromBase64url(signature), await signingInput(parts));
}
