import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMiddleware } from 'hono/factory';

/**
 * The headers every answer carries, static file or API, error or not. The policy is read
 * from the build once, at start: a new build needs a restart (a deploy is one anyway).
 *
 * - `script-src 'self'` plus the SHA-256 of each inline script of `index.html`: SvelteKit
 *   starts the app from one inline script whose text names the build, so its hash changes
 *   with every build and is computed here rather than written down. `'wasm-unsafe-eval'`
 *   lets `/verify` compile its QR decoder (WebAssembly, from our own origin); it allows no
 *   JavaScript eval. App-wide, not on /verify alone: a page reached by client-side
 *   navigation keeps the policy of the first page loaded (docs/decisions.md).
 * - `style-src 'self' 'unsafe-hashes'` plus the SHA-256 of each static `style="…"`
 *   attribute the build carries: SvelteKit's wrapper `<div style="display: contents">` in
 *   `index.html` and its live-region announcer (a visually hidden `style` in a compiled
 *   template). `'unsafe-hashes'` lets exactly those attribute values through, never a
 *   `<style>` element or another value; styles set from script through the CSSOM (Svelte's
 *   `style:` directives) need no permission.
 * - `img-src blob: data:`: photos are shown from object URLs before they are uploaded.
 * - `frame-ancestors 'none'` (and `X-Frame-Options: DENY` for old Android WebViews that
 *   know only that): no page of Dala can be framed, so no page can be clickjacked.
 * - `Permissions-Policy` keeps the camera for this origin (document scanning) and turns
 *   off what Dala never uses.
 */
export function securityHeaders(staticDir?: string) {
	const headers: Record<string, string> = {
		'Content-Security-Policy': contentSecurityPolicy(staticDir ? builtInline(staticDir) : none),
		'X-Content-Type-Options': 'nosniff',
		'X-Frame-Options': 'DENY',
		'Referrer-Policy': 'no-referrer',
		'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()',
		'Cross-Origin-Opener-Policy': 'same-origin'
	};
	return createMiddleware(async (c, next) => {
		await next();
		for (const [name, value] of Object.entries(headers)) c.header(name, value);
	});
}

/** The inline code a build needs: script texts and style attribute values, as written. */
export interface InlineCode {
	scripts: string[];
	styles: string[];
}

const none: InlineCode = { scripts: [], styles: [] };

/** The policy, allowing exactly the inline code given by hash. */
export function contentSecurityPolicy(inline: InlineCode): string {
	const hashes = (texts: string[]) => [...new Set(texts)].map((text) => ` '${sha256(text)}'`);
	const styleHashes = inline.styles.length
		? ` 'unsafe-hashes'${hashes(inline.styles).join('')}`
		: '';
	return [
		"default-src 'self'",
		`script-src 'self' 'wasm-unsafe-eval'${hashes(inline.scripts).join('')}`,
		`style-src 'self'${styleHashes}`,
		"img-src 'self' blob: data:",
		"connect-src 'self'",
		"worker-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'"
	].join('; ');
}

function sha256(text: string): string {
	return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

// An inline script has no src; its text is hashed exactly as it stands between the tags.
const INLINE_SCRIPT = /<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi;
// A static style attribute, in index.html or in a compiled Svelte template string.
const STYLE_ATTRIBUTE = /\sstyle="([^"\\`$]*)"/g;

/**
 * The inline scripts of the built `index.html` and the static style attributes of it and
 * of the app's own JavaScript (Svelte compiles a static `style="…"` into a template string
 * that becomes HTML in the page). Both come from our own build, never from a request.
 */
export function builtInline(staticDir: string): InlineCode {
	const html = readFileSync(join(staticDir, 'index.html'), 'utf8');
	const scripts = [...html.matchAll(INLINE_SCRIPT)].map((m) => m[1]!);
	const styles = [...html.matchAll(STYLE_ATTRIBUTE)].map((m) => m[1]!);
	const immutable = join(staticDir, '_app', 'immutable');
	const files = existsSync(immutable)
		? readdirSync(immutable, { recursive: true, encoding: 'utf8' })
		: [];
	for (const file of files) {
		if (!file.endsWith('.js')) continue;
		const code = readFileSync(join(immutable, file), 'utf8');
		styles.push(...[...code.matchAll(STYLE_ATTRIBUTE)].map((m) => m[1]!));
	}
	return { scripts, styles };
}
