import { openDatabase } from './database';

/** The app's one device database. */
export const db = openDatabase();

// Another tab or the service worker deleted the database (a sign-out, a revoked device)
// or opened a newer version of it (an update): this page's view is gone or outdated.
// Dexie closes its connection (so the other side proceeds); the page starts afresh.
db.on('versionchange', () => {
	setTimeout(() => location.reload());
});
