/**
 * The accounts API between the app and the sync server (docs/accounts.md): who signs in,
 * how, and the session that comes back. Each message has one valibot schema; both sides
 * parse with it. Every call is signed by the device like a sync call, and a session
 * works only on requests signed by the device it was issued to.
 */
import * as v from 'valibot';
import { isValidIin } from './iin';
import { normalizePhone } from './phone';
import { REGION_CODES } from './services/region';

import { RefreshToken } from './session';
import { cannotBeStored, hasForbiddenCharacter } from './text';

// The session as the sync code keeps it lives in ./session.ts, light enough for every page.
export { AccessToken, AccountView, RefreshToken, ROLES, Session, type Role } from './session';

export const STAFF_ROLES = ['officer', 'reviewer', 'administrator'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/**
 * The region of staff who work the national queue: applications that belong to no region
 * (shared/services/region.ts). It is not a REGIONS code, so no application is ever in it.
 */
export const NATIONAL_REGION = 'national';
/** The regions a staff account may have: every REGIONS code, and the national queue. */
export const STAFF_REGIONS: readonly string[] = [...REGION_CODES, NATIONAL_REGION];

/** How long a one-time code sent to a phone works, and how many wrong tries it takes. */
export const SIGN_IN_CODE_TTL_MS = 5 * 60_000;
export const SIGN_IN_CODE_TRIES = 5;
/** How long an access token works; the refresh token gets a new one. */
export const ACCESS_TTL_MS = 15 * 60_000;
export const REFRESH_TTL_MS = 30 * 24 * 60 * 60_000;
/** The fewest characters of a staff password (NIST SP 800-63B: length, not composition). */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** How a member of staff signs in: lowercase letters, digits, dot, dash, underscore. */
export const StaffLogin = v.pipe(
	v.string(),
	v.regex(/^[a-z0-9._-]{3,64}$/, '3–64 characters: a–z, 0–9, dot, dash or underscore')
);
/** A member of staff's name, as colleagues and the history see it. */
export const StaffName = v.pipe(
	v.string(),
	v.check((text) => !cannotBeStored(text), 'contains characters that cannot be stored'),
	v.trim(),
	v.check((text) => !hasForbiddenCharacter(text), 'contains a control or text-direction character'),
	v.minLength(1, 'a name is required'),
	v.maxLength(200, 'at most 200 characters')
);

/** POST /api/accounts/staff (administrators): the same rules as `npm run admin -- create-staff`. */
export const NewStaffRequest = v.strictObject({
	role: v.picklist(STAFF_ROLES),
	region: v.picklist(STAFF_REGIONS as string[]),
	name: StaffName,
	login: v.optional(StaffLogin)
});
export type NewStaffRequest = v.InferInput<typeof NewStaffRequest>;
export const NewStaffResponse = v.object({
	accountId: v.string(),
	login: v.string(),
	/** The set-password link's token: the page makes the link `/staff/set-password#<token>`. */
	token: v.string(),
	expiresAt: v.string()
});
export type NewStaffResponse = v.InferOutput<typeof NewStaffResponse>;

/** GET /api/accounts/staff (administrators): every staff account. */
export const StaffList = v.object({
	staff: v.array(
		v.object({
			id: v.string(),
			role: v.string(),
			region: v.string(),
			name: v.nullable(v.string()),
			login: v.string(),
			/** False until the set-password link was used. */
			passwordSet: v.boolean(),
			disabled: v.boolean(),
			createdAt: v.string()
		})
	)
});
export type StaffList = v.InferOutput<typeof StaffList>;

/** A set-password link's token: `ds_`, like the session's tokens (./session.ts). */
export const SetPasswordToken = v.pipe(v.string(), v.regex(/^ds_[A-Za-z0-9_-]{43}$/));

const Iin = v.pipe(
	v.string(),
	v.transform((s) => s.replace(/\s/g, '')),
	v.check(isValidIin, 'invalid_iin')
);
const Phone = v.pipe(
	v.string(),
	v.maxLength(32, 'invalid_phone'),
	v.transform((s) => normalizePhone(s)),
	v.string('invalid_phone')
);
const Code = v.pipe(v.string(), v.regex(/^\d{6}$/, 'expected six digits'));
const Totp = v.pipe(v.string(), v.regex(/^\d{6}$/, 'expected six digits'));

/** POST /api/accounts/citizen/code: send a code to this phone, if it is registered to this IIN. */
export const CitizenCodeRequest = v.strictObject({ iin: Iin, phone: Phone });
export type CitizenCodeRequest = v.InferInput<typeof CitizenCodeRequest>;
export const CitizenCodeResponse = v.object({
	/** Names the code in the confirm call; the code itself went to the phone. */
	challengeId: v.string(),
	expiresAt: v.string(),
	/** The number as the person may check it: `+7 7•• ••• •• 78`. */
	maskedPhone: v.string()
});
export type CitizenCodeResponse = v.InferOutput<typeof CitizenCodeResponse>;

/** POST /api/accounts/citizen/confirm: the code typed; answers a Session. */
export const CitizenConfirmRequest = v.strictObject({
	challengeId: v.pipe(v.string(), v.uuid()),
	code: Code
});
export type CitizenConfirmRequest = v.InferInput<typeof CitizenConfirmRequest>;

/** POST /api/accounts/staff/enroll: the set-password link opened; answers the TOTP secret. */
export const StaffEnrollRequest = v.strictObject({ token: SetPasswordToken });
export const StaffEnrollResponse = v.object({
	name: v.string(),
	login: v.string(),
	/** For an authenticator app: scan `otpauthUri` as a QR code, or type `totpSecret`. */
	totpSecret: v.string(),
	otpauthUri: v.string()
});
export type StaffEnrollResponse = v.InferOutput<typeof StaffEnrollResponse>;

/** POST /api/accounts/staff/set-password: the password and a first TOTP code; the link is spent. */
export const StaffSetPasswordRequest = v.strictObject({
	token: SetPasswordToken,
	password: v.pipe(
		v.string(),
		v.minLength(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`),
		v.maxLength(MAX_PASSWORD_LENGTH, `at most ${MAX_PASSWORD_LENGTH} characters`)
	),
	totp: Totp
});
export type StaffSetPasswordRequest = v.InferInput<typeof StaffSetPasswordRequest>;

/** POST /api/accounts/staff/sign-in: answers a Session. */
export const StaffSignInRequest = v.strictObject({
	// Any text a login could be, but none PostgreSQL's text cannot hold (NUL, a lone
	// surrogate): looked up as it is, such a login would be a 500, not a refusal.
	login: v.pipe(
		v.string(),
		v.maxLength(64),
		v.check((text) => !cannotBeStored(text), 'contains characters that cannot be stored')
	),
	password: v.pipe(v.string(), v.maxLength(MAX_PASSWORD_LENGTH)),
	totp: Totp
});
export type StaffSignInRequest = v.InferInput<typeof StaffSignInRequest>;

/** POST /api/accounts/session/refresh: a new pair for the old; the old refresh token is spent. */
export const RefreshRequest = v.strictObject({ refreshToken: RefreshToken });

/** GET /api/accounts/devices: the devices signed in to this account. */
export const DeviceList = v.object({
	devices: v.array(
		v.object({
			id: v.string(),
			createdAt: v.string(),
			/** When it last spoke to the server, to the hour; null before it ever synced. */
			lastSeenAt: v.nullable(v.string()),
			/** The device asking. */
			current: v.boolean()
		})
	)
});
export type DeviceList = v.InferOutput<typeof DeviceList>;
