import type { AccountView, Session } from '../../../shared/session';
import { getMeta, setMeta, type DalaDatabase } from './database';

/**
 * Where the person's session lives on the device: IndexedDB (the `meta` table), never
 * localStorage, which any script of the origin reads synchronously and which the service
 * worker cannot reach. Only the sync and accounts code read it; pages learn who is signed
 * in from `account`, never the tokens.
 */
export const readSession = (db: DalaDatabase): Promise<Session | undefined> =>
	getMeta(db, 'session');

/** Keeps a session just received (a sign-in or a refresh). */
export const keepSession = (db: DalaDatabase, session: Session): Promise<void> =>
	setMeta(db, 'session', session);

/** Who is signed in on this device, for pages: the account, never its tokens. */
export async function signedInAccount(db: DalaDatabase): Promise<AccountView | null> {
	return (await readSession(db))?.account ?? null;
}

/**
 * Forgets the session whose access token is `accessToken`, the server having ended it;
 * a newer one (the person signed in again meanwhile) stays.
 */
export async function forgetSession(db: DalaDatabase, accessToken: string): Promise<void> {
	await db.transaction('rw', db.meta, async () => {
		if ((await readSession(db))?.accessToken === accessToken) await db.meta.delete('session');
	});
}
