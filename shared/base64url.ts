/** base64url without padding (RFC 4648 §5), the same in a browser and on Node. */

export function toBase64url(bytes: ArrayBuffer | Uint8Array): string {
	let binary = '';
	for (const byte of bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)) {
		binary += String.fromCharCode(byte);
	}
	return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes, or undefined for text that is not base64url. */
export function fromBase64url(text: string): Uint8Array | undefined {
	if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
	const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
	return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
