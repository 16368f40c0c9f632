/**
 * Text on a document in KZ-1048 (STRK 1048-2002, Kazakhstan's standard single-byte code page
 * for Kazakh and Russian): one byte a letter where UTF-8 takes two for every Cyrillic
 * letter. Names and addresses are most of what a document carries, so this shortens a
 * typical code by a fifth (docs/documents.md). Text with a character the page lacks stays
 * UTF-8 (claims.ts decides).
 */

/** Bytes 0x80–0xFF of KZ-1048, in order; 0x98 is unassigned. Bytes below 0x80 are ASCII. */
const HIGH_HALF =
	'ЂЃ‚ѓ„…†‡€‰Љ‹ЊҚҺЏђ‘’“”•–—\uFFFD™љ›њқһџ\u00A0ҰұӘ¤Ө¦§Ё©Ғ«¬\u00AD®Ү°±Ііөµ¶·ё№ғ»әҢңүАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюя';
const UNASSIGNED = 0x98;

const BYTE_OF = new Map([...HIGH_HALF].map((char, i) => [char, 0x80 + i]));

/** `text` in KZ-1048, or undefined when a character of it is not on the page. */
export function toKz1048(text: string): Uint8Array | undefined {
	const bytes = new Uint8Array(text.length);
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		const byte = code < 0x80 ? code : BYTE_OF.get(text[i]!);
		if (byte === undefined || byte === UNASSIGNED) return undefined;
		bytes[i] = byte;
	}
	return bytes;
}

/** The text of KZ-1048 `bytes`, or undefined when one is unassigned. */
export function fromKz1048(bytes: Uint8Array): string | undefined {
	let text = '';
	for (const byte of bytes) {
		if (byte === UNASSIGNED) return undefined;
		text += byte < 0x80 ? String.fromCharCode(byte) : HIGH_HALF[byte - 0x80]!;
	}
	return text;
}
