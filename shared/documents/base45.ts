/**
 * Base45 (RFC 9285) by the kept library, made strict: the library throws on a character
 * outside the alphabet but wraps a group worth more than 65,535 round into a wrong byte.
 * A text is accepted only when it is exactly what its bytes encode to, so every code has one
 * spelling, and a changed character is never read as some other valid code.
 */
import { decode, encode } from 'base45-ts';

export const base45 = {
	encode: (data: Uint8Array): string => encode(data),
	/**
	 * The bytes of `text`; `invalid` for characters outside the alphabet or a length no
	 * encoding has, `changed` for a group no encoder writes (worth more than its bytes hold).
	 */
	decode(text: string): Uint8Array | 'invalid' | 'changed' {
		let data: Uint8Array;
		try {
			data = decode(text);
		} catch {
			return 'invalid';
		}
		return encode(data) === text ? data : 'changed';
	}
};
