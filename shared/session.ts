/**
 * The person's session as the app keeps it and every sync call shows it (docs/accounts.md).
 * Apart from the rest of the accounts API (shared/accounts.ts) because every page's sync
 * code reads it, and those pages must not load the IIN, phone and region rules with it.
 */
import * as v from 'valibot';

/** Who an account is. Staff have a region; a citizen has an IIN. */
export const ROLES = ['citizen', 'officer', 'reviewer', 'administrator'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Tokens are a prefix (`da_` access, `dr_` refresh) and 32 random bytes in base64url: a
 * prefix tells a leaked token's kind at a glance (secret scanners match it), and anything
 * else is refused before the database is asked.
 */
export const AccessToken = v.pipe(v.string(), v.regex(/^da_[A-Za-z0-9_-]{43}$/));
export const RefreshToken = v.pipe(v.string(), v.regex(/^dr_[A-Za-z0-9_-]{43}$/));

/** The account as the app shows it. No IIN: the app knows the one it typed. */
export const AccountView = v.object({
	id: v.string(),
	role: v.picklist(ROLES),
	name: v.nullable(v.string()),
	region: v.nullable(v.string())
});
export type AccountView = v.InferOutput<typeof AccountView>;

/** What a sign-in or a refresh answers. Send `accessToken` as `Authorization: Bearer …`. */
export const Session = v.object({
	account: AccountView,
	accessToken: AccessToken,
	accessExpiresAt: v.string(),
	refreshToken: RefreshToken,
	refreshExpiresAt: v.string()
});
export type Session = v.InferOutput<typeof Session>;
