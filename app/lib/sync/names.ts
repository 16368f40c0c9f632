/** The Web Lock whose holder syncs for the whole origin: one tab, or the service worker. */
export const SYNC_LOCK = 'dala-sync-leader';

/** The Background Sync tag the service worker answers (app/service-worker.ts). */
export const BACKGROUND_SYNC_TAG = 'dala-outbox';

/**
 * The Web Lock a session refresh holds, in pages and the service worker alike: a refresh
 * rotates both tokens, so only one may run at a time (lib/sync/session-tokens.ts).
 */
export const SESSION_LOCK = 'dala-session';
