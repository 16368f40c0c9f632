import { Hono } from 'hono';
import type { Catalogue } from './catalogue';
import { protocolHeader } from '../devices/device-auth';

/** True when `Accept-Encoding` takes gzip (listed, or `*`, with a non-zero q). */
function acceptsGzip(header: string | undefined): boolean {
	if (!header) return false;
	return header.split(',').some((part) => {
		const [coding, ...params] = part.trim().toLowerCase().split(';');
		if (coding !== 'gzip' && coding !== '*') return false;
		const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
		return q === undefined || Number(q.slice(2)) > 0;
	});
}

/**
 * True when `If-None-Match` lists one of the catalogue's tags. Weak comparison, as RFC
 * 9110 asks for If-None-Match: a `W/` added by a proxy, or the other coding's tag, still
 * names the same catalogue, and the device need not download it again.
 */
function matches(header: string | undefined, tags: readonly string[]): boolean {
	if (!header) return false;
	if (header.trim() === '*') return true;
	return header.split(',').some((tag) => tags.includes(tag.trim().replace(/^W\//, '')));
}

/**
 * `GET /api/services`: the published catalogue. Public: a catalogue is no secret and a
 * device needs it before it has registered, so it is not signed; the protocol header is
 * still checked, because an app too old to read the definition format must be told to
 * update rather than handed definitions it would misread.
 *
 * Compressed here, once, rather than by the compress middleware: that middleware weakens
 * the ETag, and each coding has its own strong one. `no-cache`: any cache may keep it but
 * must ask again each time, which costs a 304 of a few hundred bytes.
 */
export function serviceRoutes(catalogue: Catalogue) {
	const { json, gzip, etag, gzipEtag } = catalogue.published;
	return new Hono().get('/', protocolHeader, (c) => {
		const zipped = acceptsGzip(c.req.header('Accept-Encoding'));
		const headers: Record<string, string> = {
			ETag: zipped ? gzipEtag : etag,
			'Cache-Control': 'no-cache',
			Vary: 'Accept-Encoding'
		};
		if (matches(c.req.header('If-None-Match'), [etag, gzipEtag])) {
			return c.body(null, 304, headers);
		}
		const bytes = zipped ? gzip : json;
		if (zipped) headers['Content-Encoding'] = 'gzip';
		headers['Content-Type'] = 'application/json; charset=utf-8';
		headers['Content-Length'] = String(bytes.byteLength);
		return c.body(bytes, 200, headers);
	});
}
