/**
 * What a document says, and its bytes as signed: a CBOR map with small integer keys, the
 * way the EU Digital COVID Certificate packs its claims. Codes travel wherever the catalogue
 * has them: a service is its template's number, a choice its option's index, a region its
 * index in REGIONS, an IIN an integer, a date a day count. Only what a person typed travels
 * as text, in KZ-1048 where it fits (kz1048.ts). The service version in the claims names the definition that says what each key
 * means, so a document stays readable for as long as the app knows that version.
 */
import { decode, encode } from 'cborg';
import { formatTenge, parseTiyn } from '../money';
import { findService } from '../services/catalog';
import type { FieldDefinition, ServiceDefinition } from '../services/definition';
import { serviceInputs, type Answers } from '../services/validate';
import { isAuthority, type Authority } from './authorities';
import { fromKz1048, toKz1048 } from './kz1048';
import { templateByCode, templateOf, type DocumentTemplate } from './templates';

export interface DocumentClaims {
	/** The document's serial: its number, and its place in the revocation list. */
	serial: number;
	serviceId: string;
	serviceVersion: number;
	authority: Authority;
	/** When it was signed, to the second: what a key's retirement is measured against. */
	issuedAt: Date;
	/** The answers it carries, as canonical text, as the application holds them. */
	answers: Answers;
}

const Key = { serial: 1, service: 2, version: 3, authority: 4, issuedAt: 5, answers: 6 } as const;

const DAY_MS = 86_400_000;

/** Phones and photos are never on a document: how to reach someone is not what they hold. */
function carried(field: FieldDefinition, template: DocumentTemplate): boolean {
	return field.kind !== 'phone' && field.kind !== 'photo' && !template.omit.includes(field.name);
}

/** The answers of `answers` that a document of `service` carries, by input name. */
export function documentAnswers(service: ServiceDefinition, answers: Answers): Answers {
	const template = templateOf(service.id);
	if (!template) return {};
	const kept: Answers = {};
	for (const field of serviceInputs(service)) {
		const value = answers[field.name];
		if (value !== undefined && carried(field, template)) kept[field.name] = value;
	}
	return kept;
}

type Packed = number | bigint | string | Uint8Array;

/**
 * Typed text as it is signed: in KZ-1048 (a byte a letter) when it has a letter beyond
 * ASCII and the code page has every one of them, else as text (UTF-8). CBOR tells the two
 * apart: a byte string is KZ-1048, a text string is UTF-8.
 */
function packText(value: string): string | Uint8Array {
	// eslint-disable-next-line no-control-regex -- ASCII is 0x00–0x7f, controls included.
	return /^[\x00-\x7f]*$/.test(value) ? value : (toKz1048(value) ?? value);
}

function unpackText(packed: unknown): string | undefined {
	if (typeof packed === 'string') return packed;
	return packed instanceof Uint8Array ? fromKz1048(packed) : undefined;
}

function pack(field: FieldDefinition, value: string): Packed {
	switch (field.kind) {
		case 'choice':
			return field.options.findIndex((o) => o.value === value);
		case 'date':
			return Date.parse(`${value}T00:00:00Z`) / DAY_MS;
		case 'iin':
		case 'bin':
		case 'number':
			return Number(value);
		case 'money': {
			const tiyn = parseTiyn(value) ?? 0n;
			return tiyn >= BigInt(Number.MIN_SAFE_INTEGER) && tiyn <= BigInt(Number.MAX_SAFE_INTEGER)
				? Number(tiyn)
				: tiyn;
		}
		default:
			return packText(value);
	}
}

/** The answer a packed value stands for, or undefined when it cannot be one. */
function unpack(field: FieldDefinition, packed: unknown): string | undefined {
	const integer = typeof packed === 'number' && Number.isSafeInteger(packed);
	switch (field.kind) {
		case 'choice':
			return integer ? field.options[packed]?.value : undefined;
		case 'date':
			return integer ? new Date(packed * DAY_MS).toISOString().slice(0, 10) : undefined;
		case 'iin':
		case 'bin':
			return integer && packed >= 0 && packed < 1e12 ? String(packed).padStart(12, '0') : undefined;
		case 'number':
			return integer ? String(packed) : undefined;
		case 'money':
			return integer || typeof packed === 'bigint' ? formatTenge(BigInt(packed)) : undefined;
		case 'text': {
			const text = unpackText(packed);
			return text !== undefined && text.length <= field.maxLength ? text : undefined;
		}
		default:
			return undefined;
	}
}

/** The claims as the bytes that are signed. */
export function encodeClaims(claims: DocumentClaims): Uint8Array {
	const service = findService(claims.serviceId, claims.serviceVersion);
	const template = templateOf(claims.serviceId);
	if (!service || !template) throw new Error(`${claims.serviceId} issues no document`);
	const answers = new Map<number, Packed>();
	serviceInputs(service).forEach((field, index) => {
		const value = claims.answers[field.name];
		if (value !== undefined && carried(field, template)) answers.set(index, pack(field, value));
	});
	return encode(
		new Map<number, unknown>([
			[Key.serial, claims.serial],
			[Key.service, template.code],
			[Key.version, claims.serviceVersion],
			[Key.authority, claims.authority],
			[Key.issuedAt, Math.floor(claims.issuedAt.getTime() / 1000)],
			[Key.answers, answers]
		])
	);
}

export type ClaimsProblem =
	/** Not the shape of Dala's claims: not a document of ours, however it was signed. */
	| 'malformed'
	/** A service or version this app does not know: a newer app reads it. */
	| 'unknown_form';

/** The claims in signed bytes, or what keeps them from being read. */
export function decodeClaims(bytes: Uint8Array): DocumentClaims | ClaimsProblem {
	let map: unknown;
	try {
		map = decode(bytes, { useMaps: true, strict: true, rejectDuplicateMapKeys: true });
	} catch {
		return 'malformed';
	}
	if (!(map instanceof Map)) return 'malformed';
	const int = (key: number) => {
		const value: unknown = map.get(key);
		return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
			? value
			: undefined;
	};
	const serial = int(Key.serial);
	const code = int(Key.service);
	const version = int(Key.version);
	const authority = int(Key.authority);
	const issuedAt = int(Key.issuedAt);
	const packed: unknown = map.get(Key.answers);
	if (
		serial === undefined ||
		code === undefined ||
		version === undefined ||
		authority === undefined ||
		issuedAt === undefined ||
		!(packed instanceof Map) ||
		!isAuthority(authority)
	) {
		return 'malformed';
	}
	const template = templateByCode(code);
	const service = template && findService(template.serviceId, version);
	if (!template || !service) return 'unknown_form';
	const inputs = serviceInputs(service);
	const answers: Answers = {};
	for (const [key, value] of packed) {
		const field = typeof key === 'number' ? inputs[key] : undefined;
		const answer = field && carried(field, template) ? unpack(field, value) : undefined;
		if (!field || answer === undefined) return 'malformed';
		answers[field.name] = answer;
	}
	return {
		serial,
		serviceId: service.id,
		serviceVersion: service.version,
		authority,
		issuedAt: new Date(issuedAt * 1000),
		answers
	};
}
