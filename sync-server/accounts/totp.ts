import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * TOTP (RFC 6238) with the parameters every authenticator app uses: HMAC-SHA1, 30-second
 * steps, six digits. Thirty lines over node:crypto rather than a dependency: the whole
 * algorithm is RFC 4226's dynamic truncation of one HMAC (docs/decisions.md).
 */
const STEP_SECONDS = 30;
const DIGITS = 6;
/** Steps either side of now still accepted: a phone's clock may be half a minute off. */
const DRIFT_STEPS = 1;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 20 random bytes (160 bits, RFC 4226's recommendation), base32 as authenticator apps take it. */
export function newTotpSecret(): string {
	return base32(randomBytes(20));
}

function base32(bytes: Uint8Array): string {
	let bits = 0;
	let value = 0;
	let out = '';
	for (const byte of bytes) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += BASE32[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
	return out;
}

function fromBase32(text: string): Buffer {
	let bits = 0;
	let value = 0;
	const out: number[] = [];
	for (const char of text) {
		const index = BASE32.indexOf(char);
		if (index < 0) throw new Error('not base32');
		value = (value << 5) | index;
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 255);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

/** The code for time step `step` (RFC 4226 §5.3). */
export function totpCode(secret: string, step: number): string {
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(step));
	const mac = createHmac('sha1', fromBase32(secret)).update(counter).digest();
	const offset = mac[mac.length - 1]! & 15;
	const binary = mac.readUInt32BE(offset) & 0x7fff_ffff;
	return String(binary % 10 ** DIGITS).padStart(DIGITS, '0');
}

/** The time step of `now` (ms since the epoch). */
export function totpStep(now: number): number {
	return Math.floor(now / 1000 / STEP_SECONDS);
}

/**
 * The step `code` is valid for, within the drift window around `now`, and above
 * `lastStep` (a code, once accepted, never works again); or null.
 */
export function matchTotp(
	secret: string,
	code: string,
	now: number,
	lastStep: number | null
): number | null {
	if (!/^\d{6}$/.test(code)) return null;
	const current = totpStep(now);
	for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
		if (lastStep !== null && step <= lastStep) continue;
		if (timingSafeEqual(Buffer.from(totpCode(secret, step)), Buffer.from(code))) {
			return step;
		}
	}
	return null;
}

/** The URI authenticator apps read from a QR code (Google's Key Uri Format). */
export function otpauthUri(secret: string, login: string): string {
	const label = encodeURIComponent(`Dala:${login}`);
	return `otpauth://totp/${label}?secret=${secret}&issuer=Dala&algorithm=SHA1&digits=${DIGITS}&period=${STEP_SECONDS}`;
}
