import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ErrorCode } from '../../shared/errors';
import * as v from 'valibot';
import { httpError, issuesOf } from './errors';

const gunzipAsync = promisify(gunzip);

function tooLarge(limit: number) {
	return httpError(
		413,
		ErrorCode.bodyTooLarge,
		`A request body may be at most ${limit} bytes, compressed or not: send less at once.`
	);
}

/**
 * The request body exactly as it arrived, read up to `limit` bytes and no further: a
 * larger Content-Length is refused before reading, and a stream that runs past the limit
 * is cancelled. These are the bytes a device signs, so nothing here may decode them.
 */
export async function readRawBody(request: Request, limit: number): Promise<Uint8Array> {
	const announced = request.headers.get('Content-Length');
	if (announced !== null && Number(announced) > limit) throw tooLarge(limit);
	if (!request.body) return new Uint8Array();

	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		let chunk: ReadableStreamReadResult<Uint8Array>;
		try {
			chunk = await reader.read();
		} catch {
			// The client went away mid-upload: on a 2G link that is weather, not a server
			// error. Nothing was read, so nothing is written; the device sends it again.
			throw httpError(400, ErrorCode.invalidBody, 'The request body ended before it was complete.');
		}
		const { done, value } = chunk;
		if (done) break;
		size += value.byteLength;
		if (size > limit) {
			await reader.cancel();
			throw tooLarge(limit);
		}
		chunks.push(value);
	}
	if (chunks.length === 1 && chunks[0]) return chunks[0];
	const body = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		body.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return body;
}

/**
 * A JSON request body as `schema`'s output, the one way every route reads one: the raw
 * bytes (read here, or the ones the device check already read and verified), inflated,
 * parsed as strict JSON and validated, each step bounded by `limit` and refused with its
 * own code. Nothing is written before this returns.
 */
export async function readJsonBody<S extends v.GenericSchema>(
	request: Request,
	schema: S,
	what: string,
	{ limit, raw }: { limit: number; raw?: Uint8Array }
): Promise<v.InferOutput<S>> {
	const bytes = raw ?? (await readRawBody(request, limit));
	const encoding = request.headers.get('Content-Encoding') ?? undefined;
	return parseBody(schema, parseJson(await decodeBody(bytes, encoding, limit)), what);
}

/**
 * The body with its `Content-Encoding` undone: none, or gzip (what browsers can make with
 * CompressionStream). Inflating stops as soon as the output passes `limit`, so a small
 * body that inflates to gigabytes (a gzip bomb) costs at most `limit` bytes of memory.
 */
async function decodeBody(
	raw: Uint8Array,
	contentEncoding: string | undefined,
	limit: number
): Promise<Uint8Array> {
	const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
	if (encoding === 'identity' || encoding === '') return raw;
	if (encoding !== 'gzip') {
		throw httpError(
			415,
			ErrorCode.invalidBody,
			`Content-Encoding ${JSON.stringify(contentEncoding)} is not supported: send gzip or nothing.`
		);
	}
	try {
		return await gunzipAsync(raw, { maxOutputLength: limit });
	} catch (error) {
		// zlib's own code for "output would pass maxOutputLength".
		if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
		throw httpError(400, ErrorCode.invalidBody, 'The request body is not valid gzip.');
	}
}

/** The body as JSON: strict UTF-8, so a mangled byte is refused rather than replaced. */
function parseJson(bytes: Uint8Array): unknown {
	try {
		return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
	} catch {
		throw httpError(400, ErrorCode.invalidJson, 'The request body is not valid JSON.');
	}
}

/**
 * The body parsed with a protocol schema, or a 400 naming what is wrong. The whole
 * request is checked before anything is written: a malformed request is a client bug,
 * and applying half of it would only make the bug harder to see.
 */
function parseBody<S extends v.GenericSchema>(schema: S, body: unknown, what: string) {
	const parsed = v.safeParse(schema, body);
	if (parsed.success) return parsed.output;
	throw httpError(
		400,
		ErrorCode.invalidBody,
		`The request body does not match the ${what} schema.`,
		issuesOf(parsed.issues)
	);
}
