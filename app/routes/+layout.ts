// Dala is a single-page app: every page renders on the device, so the service worker
// can serve any address offline from the one cached shell.
export const ssr = false;
export const prerender = false;
