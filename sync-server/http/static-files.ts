import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';

const IMMUTABLE_PREFIX = '/_app/immutable/';

/**
 * Files under /_app/immutable/ carry a content hash in their name, so they may be cached
 * forever. Everything else — index.html, the service worker, the manifest — keeps its name
 * across deploys and is revalidated on each use, so a new build reaches people at once.
 * Set after the file is found (serveStatic ignores headers set in its onFound callback)
 * and only on success, so a 404 is never cached as if it were a file.
 */
const cacheControl = createMiddleware(async (c, next) => {
	await next();
	if (c.res.status !== 200 && c.res.status !== 206) return;
	const immutable = c.req.path.startsWith(IMMUTABLE_PREFIX);
	c.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
	// serveStatic says Vary only when it sends a compressed file; a proxy that cached the
	// plain answer to a client that accepts no compression would otherwise hand it to every
	// phone behind it, at several times the bytes.
	if (!/\baccept-encoding\b/i.test(c.res.headers.get('Vary') ?? '')) {
		c.header('Vary', 'Accept-Encoding', { append: true });
	}
});

/**
 * The built PWA (adapter-static output): its files, precompressed `.br`/`.gz` when the
 * client accepts them, and `index.html` for any other page so client-side routing works.
 * Mount it after every /api route, and after the /api catch-all that answers JSON 404s.
 */
export function staticFiles(root: string) {
	const file = serveStatic({ root, precompressed: true });
	const spaFallback = serveStatic({ root, path: 'index.html', precompressed: true });
	return (
		new Hono()
			.use('*', cacheControl)
			// A missing /_app file is a stale page asking for an asset of an old build;
			// answering it with index.html would hand HTML to a <script>, so it is a 404.
			.get('/_app/*', file, (c) => c.notFound())
			.get('*', file, spaFallback)
	);
}
