/**
 * Devices sign their sync requests with an ECDSA P-256 key made on the device (WebCrypto;
 * the private key never leaves it). The server verifies with the public key the device
 * registered. What is signed binds the method, the path with its query and the exact
 * body bytes sent, so a signature cannot be moved to another request.
 *
 * Isomorphic: only `crypto.subtle` and `TextEncoder`, which browsers and Node both have.
 */
import type { DevicePublicKey } from './protocol';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const encoder = new TextEncoder();

function base64url(bytes: ArrayBuffer | Uint8Array): string {
	const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	let binary = '';
	for (const byte of view) binary += String.fromCharCode(byte);
	return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

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
	return base64url(await crypto.subtle.digest('SHA-256', encoder.encode(canonical)));
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

async function signingInput(method: string, pathAndQuery: string, body: Uint8Array) {
	const digest = base64url(await crypto.subtle.digest('SHA-256', body as Uint8Array<ArrayBuffer>));
	return encoder.encode(`${method.toUpperCase()}\n${pathAndQuery}\n${digest}`);
}

/** The `Dala-Signature` header value for a request. */
export async function signRequest(
	privateKey: CryptoKey,
	method: string,
	pathAndQuery: string,
	body: Uint8Array = new Uint8Array()
): Promise<string> {
	const input = await signingInput(method, pathAndQuery, body);
	return base64url(await crypto.subtle.sign(SIGNING, privateKey, input));
}

/** A device's public key ready to verify with; importing costs more than verifying. */
export function importDeviceKey(publicKey: DevicePublicKey): Promise<CryptoKey> {
	return crypto.subtle.importKey('jwk', publicKey, ALGORITHM, false, ['verify']);
}

/** True when `signature` is the device's signature of exactly this request. */
export async function verifyRequest(
	publicKey: DevicePublicKey | CryptoKey,
	signature: string,
	method: string,
	pathAndQuery: string,
	body: Uint8Array = new Uint8Array()
): Promise<boolean> {
	if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) return false;
	const key = publicKey instanceof CryptoKey ? publicKey : await importDeviceKey(publicKey);
	const input = await signingInput(method, pathAndQuery, body);
	return crypto.subtle.verify(SIGNING, key, fromBase64url(signature), input);
}
