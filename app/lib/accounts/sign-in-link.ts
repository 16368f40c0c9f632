import { resolve } from '$app/paths';

/** The sign-in page, which comes back to `url` once the person is signed in. */
export function signInLink(url: URL): string {
	return `${resolve('/sign-in')}?next=${encodeURIComponent(url.pathname + url.search)}`;
}
