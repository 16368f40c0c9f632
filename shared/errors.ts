/**
 * Machine-readable codes. The API answers them; the app turns each into a message in
 * the person's language. Codes are stable: clients older than the server may see them.
 */

/** Why a whole request was refused (HTTP 4xx/5xx body `{ error: { code } }`). */
export const ErrorCode = {
	invalidJson: 'invalid_json',
	invalidBody: 'invalid_body',
	bodyTooLarge: 'body_too_large',
	unsupportedProtocol: 'unsupported_protocol',
	missingDevice: 'missing_device',
	/** The device id is not registered here: register (again) and retry. */
	unknownDevice: 'unknown_device',
	/** The signature does not verify with the device's key. */
	badSignature: 'bad_signature',
	/**
	 * The signed `Dala-Time` is outside the server's window: the device's clock is off or
	 * the request is old. Take the offset from `Dala-Server-Time`, sign again, retry once.
	 */
	staleRequest: 'stale_request',
	/** The server has already accepted a request with this nonce: a copy is never served. */
	replayedRequest: 'replayed_request',
	/** A new mutation's seq is not above every seq this device sent before. */
	outOfOrder: 'out_of_order',
	/** The cursor was not issued to this device's owner: pull again without one. */
	invalidCursor: 'invalid_cursor',
	/** A query parameter is not one the endpoint takes (`issues` names it). */
	invalidQuery: 'invalid_query',
	/**
	 * Devices are no longer linked by code (410): to use Dala on another phone, the person
	 * signs in there with the same IIN and phone.
	 */
	linkRetired: 'link_retired',
	notFound: 'not_found',
	// ── Accounts (docs/accounts.md) ──
	/** No session, or one that is unknown, revoked, or not this device's: sign in. */
	sessionInvalid: 'session_invalid',
	/** The session ran out: refresh it, or sign in again. Keep the queue; it waits. */
	sessionExpired: 'session_expired',
	/**
	 * The person removed this device from their account (on another device, or staff did):
	 * its sessions are over for good. The app removes everything of the person it holds.
	 */
	deviceRevoked: 'device_revoked',
	/** The signed-in account may not do this (policy). */
	forbidden: 'forbidden',
	/** The phone is not registered to this IIN (the mobile-citizens register says so). */
	phoneNotRegistered: 'phone_not_registered',
	/** The code typed is wrong; `issues.triesLeft` says how many tries this code has left. */
	wrongCode: 'wrong_code',
	/** The code is expired, used, or out of tries: ask for a new one. */
	codeExpired: 'code_expired',
	/** The code could not be sent (the SMS gateway failed): try again later. */
	codeNotSent: 'code_not_sent',
	/** The phone register could not be asked whether the phone is the IIN's: try again later. */
	registerUnavailable: 'register_unavailable',
	/** Wrong login, password or TOTP code; which one is not said. */
	signInFailed: 'sign_in_failed',
	/**
	 * Too many codes, code tries or sign-ins from this phone, device, login or address:
	 * wait `Retry-After` seconds. A limited login and an unknown one get the same answer.
	 */
	tooManyAttempts: 'too_many_attempts',
	/** The set-password link is unknown, expired or used: ask an administrator for a new one. */
	invalidSetPasswordLink: 'invalid_set_password_link',
	/** Another account has this login: choose another. */
	loginTaken: 'login_taken',
	/** An administrator may not disable their own account (another administrator can). */
	cannotDisableSelf: 'cannot_disable_self',
	/** An upload's declared type is not one the server accepts (shared/files.ts). */
	fileTypeNotAllowed: 'file_type_not_allowed',
	/** An upload's declared length is above MAX_FILE_BYTES, or missing. */
	fileTooLarge: 'file_too_large',
	/** The file's first bytes are not those of its declared type. */
	fileTypeMismatch: 'file_type_mismatch',
	/** The bytes stored do not hash to the SHA-256 the device declared. */
	fileHashMismatch: 'file_hash_mismatch',
	/** The tus request is malformed (missing headers, a wrong offset, bad metadata). */
	invalidUpload: 'invalid_upload',
	/**
	 * Too many requests of this kind from this device or address: wait the seconds the
	 * `Retry-After` header says, then try again. Nothing was done.
	 */
	rateLimited: 'rate_limited',
	/** The device has as many unfinished uploads (or bytes in them) as it may: finish one first. */
	tooManyUploads: 'too_many_uploads',
	/** Revoking: the application has no issued document (not approved, or its service issues none). */
	noDocument: 'no_document',
	/** Revoking: its document is revoked already. A revocation is never undone. */
	alreadyRevoked: 'already_revoked',
	internal: 'internal'
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Why one mutation was rejected; the rest of its batch still goes through. */
export const RejectCode = {
	unknownService: 'unknown_service',
	unsupportedServiceVersion: 'unsupported_service_version',
	invalidAnswers: 'invalid_answers',
	/** The application id already belongs to someone else's application. */
	applicationIdTaken: 'application_id_taken',
	/** No such application for this sender (never says whether it exists at all). */
	notFound: 'not_found',
	/** The application is decided; it can no longer be changed. */
	applicationClosed: 'application_closed'
} as const;
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];

/** What is wrong with one answer. */
export const FieldErrorCode = {
	required: 'required',
	tooLong: 'too_long',
	invalidType: 'invalid_type',
	invalidIin: 'invalid_iin',
	invalidPhone: 'invalid_phone',
	invalidChoice: 'invalid_choice',
	/** Not a whole number. */
	invalidNumber: 'invalid_number',
	/** Not an amount of tenge (digits, at most two after the point). */
	invalidAmount: 'invalid_amount',
	/** Below the field's minimum (a negative income, no employees below zero). */
	tooSmall: 'too_small',
	/** Above the field's maximum. */
	tooLarge: 'too_large',
	/** Not a real calendar date. */
	invalidDate: 'invalid_date',
	/** After today, where only the past makes sense (a birth). */
	dateInFuture: 'date_in_future',
	dateTooEarly: 'date_too_early',
	dateTooLate: 'date_too_late',
	invalidBin: 'invalid_bin',
	/** Text that does not have the shape the field asks for (a record number). */
	invalidFormat: 'invalid_format',
	/** Text holding a control or text-direction character (shared/text.ts). */
	forbiddenCharacter: 'forbidden_character',
	/** The child's birth date is before the parent's, as the parent's IIN encodes it. */
	bornBeforeParent: 'born_before_parent',
	/** A declaration for a half-year that has not ended yet. */
	periodNotEnded: 'period_not_ended',
	/** The tax table has no rates for the year (too old, or this app is out of date). */
	noTaxRates: 'no_tax_rates',
	/** A period that ends before it starts (a permit's term). */
	endBeforeStart: 'end_before_start',
	/** A period longer than the service allows (a permit for more than a year). */
	periodTooLong: 'period_too_long',
	/**
	 * A photo answer names a file this owner has not uploaded (not arrived whole and
	 * verified). A device sends a submission only once its files arrived, so this is a
	 * file lost on the server or another client's bug: attach the photo again.
	 */
	fileMissing: 'file_missing',
	/**
	 * The device's own word, never the server's answer to a push: the server refused the
	 * upload of this photo for good (not an image, too large), so the application cannot
	 * be sent with it: take or choose another photo.
	 */
	fileRefused: 'file_refused',
	/** A payroll declared with no employees. */
	payrollWithoutEmployees: 'payroll_without_employees',
	/**
	 * A computed figure (the tax due) is not what the server works out from its rate table:
	 * the device's table is stale. Refused, never overwritten; the app recomputes on update.
	 */
	computedMismatch: 'computed_mismatch'
} as const;
export type FieldErrorCode = (typeof FieldErrorCode)[keyof typeof FieldErrorCode];

/** Field name → what is wrong with it. */
export type FieldErrors = Record<string, FieldErrorCode>;
