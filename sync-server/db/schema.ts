/**
 * The central database. Every table here is written only inside a transaction that also
 * records why (a mutation) or appends to the change feed, so devices can converge on it.
 */
import { sql } from 'drizzle-orm';
import {
	bigint,
	check,
	customType,
	index,
	integer,
	jsonb,
	pgSequence,
	pgTable,
	primaryKey,
	text,
	timestamp,
	uniqueIndex,
	uuid
} from 'drizzle-orm/pg-core';
import type { DevicePublicKey, MutationResult } from '../../shared/protocol';
import type { TrustedKey } from '../../shared/documents/trust';
import type { Answers } from '../../shared/services/validate';
import { ROLES, type Role } from '../../shared/accounts';
import { APPLICATION_STATUSES, type ApplicationStatus } from '../../shared/status';

/**
 * A 64-bit transaction id (PostgreSQL 13+). Unlike `xid` it never wraps around, so it
 * can be stored and compared forever. Drivers hand it over as a decimal string, which we
 * keep: it can exceed Number.MAX_SAFE_INTEGER.
 */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/** Numbers for references (`DL-2026-000042`); gaps are harmless, reuse never happens. */
export const applicationReferenceSeq = pgSequence('application_reference_seq');
/**
 * A new reference, as SQL: shared/reference.ts `formatReference` for the database's year
 * and the next number, so a multi-row insert numbers its rows in the order it inserts them.
 * `format('%6s')` pads to at least six characters without cutting longer numbers (lpad
 * would), and nextval appears once, so each row takes exactly one number.
 */
export const nextReference = sql<string>`'DL-' || extract(year from now() at time zone 'UTC')::int
	|| '-' || translate(format('%6s', nextval('application_reference_seq')), ' ', '0')`;

/**
 * Every device that may sync: its id is the RFC 7638 thumbprint of its public key
 * (shared/device-signature.ts), so a row never changes its key. Rows are never deleted.
 * Other tables name devices without a foreign key: nothing is written for a device that
 * has not authenticated against this table first, and a key check per inserted row would
 * slow down exactly the batch inserts a push is made of.
 */
export const devices = pgTable('devices', {
	id: text('id').primaryKey(),
	publicKey: jsonb('public_key').$type<DevicePublicKey>().notNull(),
	/**
	 * Whose applications this device sees and may change. A new device is an owner of its
	 * own; a citizen signing in moves it to the account's owner (accounts/citizen.ts),
	 * bringing what it queued before if it was nobody's yet; signing out or revoking moves
	 * it to an empty owner of its own again.
	 */
	ownerId: text('owner_id')
		.notNull()
		.default(sql`gen_random_uuid()::text`),
	/**
	 * The highest seq of any mutation this device sent that was recorded. A new mutation
	 * must come above it (promise 3); the row is locked for the length of each push, so
	 * one device's pushes take effect one after another, on any number of servers.
	 */
	lastSeq: integer('last_seq').notNull().default(0),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
});

/**
 * When each device last spoke to the server, for the person's list of their devices. A
 * table of its own, written at most hourly per device (devices/sightings.ts): the device
 * row is locked for the length of every push, and "last seen" is shown by the hour.
 */
export const deviceSightings = pgTable('device_sightings', {
	deviceId: text('device_id').primaryKey(),
	seenAt: timestamp('seen_at', { withTimezone: true }).notNull()
});

const statusList = sql.raw(APPLICATION_STATUSES.map((s) => `'${s}'`).join(', '));

/** Positions in the change feed: taken by every insert and update of an application. */
export const applicationFeedSeq = pgSequence('application_feed_seq');

/**
 * An application is also its own entry in the change feed and the idempotency record of
 * the submit that made it, so the usual push writes one row per application and nothing
 * else (promises 2 and 5 without a second table to keep in step).
 */
export const applications = pgTable(
	'applications',
	{
		/** Made on the device (UUIDv7), so a device can refer to it before it is synced. */
		id: uuid('id').primaryKey(),
		/** Who may see and change it: the owner of the device that sent it (devices.owner_id). */
		ownerId: text('owner_id').notNull(),
		/** The device that submitted it. */
		deviceId: text('device_id').notNull(),
		/**
		 * The submit mutation that made it: with `device_id`, the idempotency key of that
		 * submit. Its answer can be rebuilt from this row and the resent mutation
		 * (push.ts), so it is not stored a second time.
		 */
		mutationId: uuid('mutation_id').notNull(),
		serviceId: text('service_id').notNull(),
		serviceVersion: integer('service_version').notNull(),
		/** Normalized by the service definition; only the fields it asks for. */
		answers: jsonb('answers').$type<Answers>().notNull(),
		status: text('status').$type<ApplicationStatus>().notNull(),
		reference: text('reference').notNull().unique(),
		/** Starts at 1 and grows by one with every change; devices keep the highest. */
		version: integer('version').notNull().default(1),
		/**
		 * The region whose reviewers decide it (accounts/policy.ts): a REGIONS code, set from
		 * the answer its service names (shared/services/region.ts) at receipt and at every
		 * amend. Null: the service has no region, so it is in the national queue, decided by
		 * reviewers of region `national`.
		 */
		region: text('region'),
		/** The officer whose kiosk filed it, or null when the person filed it themselves. */
		filedBy: uuid('filed_by'),
		/** The reviewer working it (office/claim.ts); null while nobody has taken it. */
		assignedTo: uuid('assigned_to'),
		/** Why it was rejected, in the reviewer's words. */
		reason: text('reason'),
		/** Why it was rejected, as a code of its service's list (shared/services/reject-reasons.ts). */
		reasonCode: text('reason_code'),
		/**
		 * While it is in `more_information`: the inputs the reviewer asks for again, and their
		 * message. Both set exactly then (the check below); the applicant's answer clears them.
		 */
		requestedFields: jsonb('requested_fields').$type<string[]>(),
		requestMessage: text('request_message'),
		/**
		 * The issued document's signed code (`DL1:…`, shared/documents/code.ts), set in the
		 * transaction that approves it; its owner's device renders and prints it from this.
		 */
		document: text('document'),
		/**
		 * When an office revoked the document, and why, in the reviewer's words
		 * (office/revoke.ts): both set together, once, never cleared. The revocation list
		 * (documents/revocation-list.ts) is read from here.
		 */
		documentRevokedAt: timestamp('document_revoked_at', { withTimezone: true }),
		documentRevocationReason: text('document_revocation_reason'),
		/**
		 * Why the service's rule passed it to a person at receipt (shared/services/
		 * automatic-rules.ts `ReviewReason`), for the reviewer; null when a rule decided it or
		 * the service has none. Never in a pull: the office's, not the applicant's.
		 */
		reviewReason: text('review_reason'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
		/**
		 * Where the row stands in its owner's change feed: the transaction that last wrote
		 * it and a position taken at that write. Every write sets both again (`feedMove`),
		 * so a changed row moves to the end of the feed. The pull reads in (txid, feed_seq)
		 * order and only below the oldest running transaction, so no row can ever appear
		 * behind a cursor already handed out (see sync/routes.ts).
		 */
		txid: xid8('txid')
			.notNull()
			.default(sql`pg_current_xact_id()`),
		feedSeq: bigint('feed_seq', { mode: 'bigint' })
			.notNull()
			.default(sql`nextval('application_feed_seq')`)
	},
	(t) => [
		uniqueIndex('applications_device_mutation_idx').on(t.deviceId, t.mutationId),
		index('applications_owner_feed_idx').on(t.ownerId, t.txid, t.feedSeq),
		// The office's queue: a region's applications of a status, oldest first (office/queue.ts).
		index('applications_queue_idx').on(t.region, t.status, t.createdAt, t.id),
		// A person's registrations of one service, which the automatic rule reads under the
		// person's lock (sync/automatic-decisions.ts). Every rule so far names the IIN `iin`.
		index('applications_registrations_idx').on(t.serviceId, sql`(${t.answers} ->> 'iin')`),
		// Statuses are the server's word (promise 7): the database refuses any other.
		check('applications_status_check', sql`${t.status} in (${statusList})`),
		check('applications_version_check', sql`${t.version} >= 1`),
		// A request for more information exists exactly while one is open.
		check(
			'applications_request_check',
			sql`(${t.status} = 'more_information') = (${t.requestedFields} is not null and ${t.requestMessage} is not null)`
		),
		// Only an issued document is revoked, always with its reason.
		check(
			'applications_revocation_check',
			sql`(${t.documentRevokedAt} is null) = (${t.documentRevocationReason} is null) and (${t.documentRevokedAt} is null or ${t.document} is not null)`
		),
		// The revocation list's rows, few among many (documents/revocation-list.ts).
		index('applications_revoked_idx')
			.on(t.id)
			.where(sql`${t.documentRevokedAt} is not null`)
	]
);

/** What happened to an application, as `application_history.kind` records it. */
export const HistoryKind = {
	/** The push that created it. */
	received: 'received',
	/** Its owner corrected the answers; the status stays. */
	amended: 'amended',
	/** A reviewer moved it (shared/status.ts `TRANSITIONS`). */
	decided: 'decided',
	/** Its owner answered a request for more information: back in review. */
	answered: 'answered',
	/** A reviewer took it to work on. */
	claimed: 'claimed',
	/** A reviewer revoked its document; the status stays approved. */
	revoked: 'revoked'
} as const;
export type HistoryKind = (typeof HistoryKind)[keyof typeof HistoryKind];
const historyKinds = sql.raw(
	Object.values(HistoryKind)
		.map((k) => `'${k}'`)
		.join(', ')
);

/**
 * Every change of an application, for the office's application page: who, when, from what
 * to what. Written in the transaction of the change itself (receipt, amend, decision), so it
 * never disagrees with the application. Never in a pull: it names staff and devices. The
 * audit log records decisions too, but neither receipt nor amends, and is one chain for
 * everything; this is read by application.
 */
export const applicationHistory = pgTable(
	'application_history',
	{
		/**
		 * By default rather than always: the push appends its rows with one prepared insert …
		 * select (sync/history.ts), which names the id (`nextval` of its sequence).
		 */
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		/** Not a foreign key, like the rest of what names an application (see `devices`). */
		applicationId: uuid('application_id').notNull(),
		kind: text('kind').$type<HistoryKind>().notNull(),
		/** Null at receipt: it had no status before. */
		fromStatus: text('from_status').$type<ApplicationStatus>(),
		toStatus: text('to_status').$type<ApplicationStatus>().notNull(),
		/** The account that acted; null when no one signed in did (tests, scripts). */
		actor: uuid('actor'),
		device: text('device'),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('application_history_application_idx').on(t.applicationId, t.id),
		check('application_history_kind_check', sql`${t.kind} in (${historyKinds})`)
	]
);

/**
 * Reviewers' notes on an application, for each other: never shown to the applicant, never
 * in a pull (the pull reads `applications` alone), never in the audit log's subject text.
 */
export const applicationNotes = pgTable(
	'application_notes',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		applicationId: uuid('application_id').notNull(),
		author: uuid('author').notNull(),
		text: text('text').notNull(),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('application_notes_application_idx').on(t.applicationId, t.id)]
);

/** Set with every change to an application: moves it to the end of its owner's feed. */
export const feedMove = {
	txid: sql`pg_current_xact_id()`,
	feedSeq: sql`nextval('application_feed_seq')`
};

/**
 * The idempotency record of every mutation that did not create an application (those are
 * recorded on their application): amends, refused submits, duplicates. It holds the exact
 * result the device was answered. Written in the same transaction as the mutation's
 * effect, so a retry after a lost response finds the row and gets the same answer, and
 * nothing happens twice.
 */
export const mutations = pgTable(
	'mutations',
	{
		deviceId: text('device_id').notNull(),
		id: uuid('id').notNull(),
		seq: integer('seq').notNull(),
		/** Not a foreign key: a rejected mutation names an application that never existed. */
		applicationId: uuid('application_id').notNull(),
		result: jsonb('result').$type<MutationResult>().notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.deviceId, t.id] })]
);

/**
 * The nonce of every signed request accepted within the freshness window
 * (devices/request-nonces.ts), shared by every server: a request is served only by the
 * server whose insert of its nonce succeeded, so a copy is refused on any of them. A row
 * is needed only while its request's signed time is inside the window (`expires_at`);
 * after that the time alone refuses a copy, and the row is pruned.
 */
export const requestNonces = pgTable(
	'request_nonces',
	{
		/** Scoped by device: nobody can spend another device's nonce before it arrives. */
		deviceId: text('device_id').notNull(),
		nonce: text('nonce').notNull(),
		/** The signed time plus the window: when a copy would be stale anyway. */
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
	},
	(t) => [
		primaryKey({ columns: [t.deviceId, t.nonce] }),
		index('request_nonces_expires_idx').on(t.expiresAt)
	]
);

// ── Files (sync-server/files/) ─────────────────────────────────────────────────────────

/**
 * Photos and documents that arrived whole and hashed to what their device declared. A
 * file is its owner's by SHA-256: the same bytes sent twice are one row, and a device
 * asks by hash whether an application's files all arrived. The bytes themselves live in
 * the upload store (a directory or an S3 bucket) under `storage_key`, the tus upload id.
 */
export const files = pgTable(
	'files',
	{
		ownerId: text('owner_id').notNull(),
		/** 64 lowercase hex digits, computed by the server over the stored bytes. */
		sha256: text('sha256').notNull(),
		size: integer('size').notNull(),
		/** The declared type, whose magic number the first bytes were checked against. */
		type: text('type').notNull(),
		/** The device that uploaded it. */
		deviceId: text('device_id').notNull(),
		storageKey: text('storage_key').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		primaryKey({ columns: [t.ownerId, t.sha256] }),
		check('files_sha256_check', sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
		check('files_size_check', sql`${t.size} >= 0`)
	]
);

// ── Limits (sync-server/http/rate-limit.ts, files/upload-quota.ts) ───────────────────────

/**
 * Request counters shared by every server process: one row per rule and key, counting
 * the requests of a fixed window that ends at `resets_at`. The key (an address, a device
 * id, later a phone number) is stored as its SHA-256 only: the table counts people, it
 * must not be a list of them. Rows whose window ended are swept (`sweepRateLimits`).
 */
export const rateLimits = pgTable(
	'rate_limits',
	{
		rule: text('rule').notNull(),
		keyHash: text('key_hash').notNull(),
		hits: integer('hits').notNull(),
		resetsAt: timestamp('resets_at', { withTimezone: true }).notNull()
	},
	(t) => [primaryKey({ columns: [t.rule, t.keyHash] })]
);

/**
 * The uploads a device has started and not finished, for its quota (how many, how many
 * bytes). The bytes live in the upload store; this row is written when tus creates the
 * upload and deleted when it finishes (recorded or refused), is terminated, or expires.
 */
export const unfinishedUploads = pgTable(
	'unfinished_uploads',
	{
		/** The tus upload id (the store's key). */
		id: text('id').primaryKey(),
		deviceId: text('device_id').notNull(),
		/** The declared Upload-Length. */
		size: integer('size').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('unfinished_uploads_device_idx').on(t.deviceId)]
);

// ── Accounts (sync-server/accounts/) ───────────────────────────────────────────────────

const roleList = sql.raw(ROLES.map((r) => `'${r}'`).join(', '));

/**
 * People who sign in: citizens (by IIN, confirmed by a code to their phone) and staff
 * (officers, reviewers, administrators; password and TOTP, each with a region). An
 * account is an owner in the devices' sense: a device signed in to it takes its
 * `owner_id`, so every device of one person sees the same applications.
 */
export const accounts = pgTable(
	'accounts',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		role: text('role').$type<Role>().notNull(),
		/** The owner its devices share (devices.owner_id); for a citizen, the one who had the first device. */
		ownerId: text('owner_id').notNull().unique(),
		/** A citizen's verified IIN: kiosk applications that name it are theirs too (policy.ts). */
		iin: text('iin').unique(),
		/**
		 * A citizen's phone, as last verified by a sign-in code: where the news of a decision
		 * goes (office/notify.ts). Null for staff, and for accounts from before it was kept.
		 */
		phone: text('phone'),
		/** A staff account an administrator disabled: it signs in no more. */
		disabledAt: timestamp('disabled_at', { withTimezone: true }),
		/** Staff: how they sign in, and what others see of them. */
		login: text('login').unique(),
		name: text('name'),
		region: text('region'),
		/** Argon2id, PHC string with its parameters (passwords.ts); null until set. */
		passwordHash: text('password_hash'),
		/** The TOTP secret (RFC 6238), base32; null until enrolled with the password. */
		totpSecret: text('totp_secret'),
		/** The last TOTP time step accepted: a code works once. */
		totpLastStep: bigint('totp_last_step', { mode: 'number' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		check('accounts_role_check', sql`${t.role} in (${roleList})`),
		check(
			'accounts_kind_check',
			sql`(${t.role} = 'citizen' and ${t.iin} is not null)
				or (${t.role} <> 'citizen' and ${t.login} is not null and ${t.region} is not null)`
		)
	]
);

/**
 * One-time codes sent to a citizen's phone (citizen.ts). Only a hash of the code is kept;
 * the IIN waits here until the code is confirmed, then names the account.
 */
export const signInCodes = pgTable('sign_in_codes', {
	id: uuid('id').primaryKey().defaultRandom(),
	/** The device that asked: only it may confirm, and it is the device then signed in. */
	deviceId: text('device_id').notNull(),
	iin: text('iin').notNull(),
	/** Where the code went: the account keeps it as its verified phone once confirmed. */
	phone: text('phone'),
	codeHash: text('code_hash').notNull(),
	/** Wrong codes tried; at the limit the code is dead and a new one must be asked for. */
	attempts: integer('attempts').notNull().default(0),
	expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
	usedAt: timestamp('used_at', { withTimezone: true })
});

/** One-time links that let a new staff member set a password and enroll TOTP (staff.ts). */
export const setPasswordLinks = pgTable('set_password_links', {
	tokenHash: text('token_hash').primaryKey(),
	accountId: uuid('account_id')
		.notNull()
		.references(() => accounts.id),
	/** The TOTP secret shown at enrollment, kept until the first code proves it was scanned. */
	pendingTotpSecret: text('pending_totp_secret'),
	expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
	usedAt: timestamp('used_at', { withTimezone: true })
});

/**
 * Signed-in sessions, each bound to the device it was issued to (sessions.ts). Only the
 * SHA-256 of each token is stored: a copy of this table signs nobody in.
 */
/** Why a session ended before its time: signed out, the device revoked, or another person signed in on it. */
export type SessionEnd = 'signed_out' | 'revoked' | 'replaced';

export const sessions = pgTable(
	'sessions',
	{
		id: uuid('id').primaryKey().defaultRandom(),
		accountId: uuid('account_id')
			.notNull()
			.references(() => accounts.id),
		deviceId: text('device_id').notNull(),
		accessHash: text('access_hash').notNull().unique(),
		accessExpiresAt: timestamp('access_expires_at', { withTimezone: true }).notNull(),
		refreshHash: text('refresh_hash').notNull().unique(),
		refreshExpiresAt: timestamp('refresh_expires_at', { withTimezone: true }).notNull(),
		/**
		 * The refresh token this session had before its last refresh, and when that was: for a
		 * short grace it still refreshes, so an answer lost on 2G does not sign anyone out.
		 */
		previousRefreshHash: text('previous_refresh_hash'),
		refreshedAt: timestamp('refreshed_at', { withTimezone: true }),
		revokedAt: timestamp('revoked_at', { withTimezone: true }),
		/**
		 * Why it ended: `revoked` (the device was removed from the account) is answered with
		 * its own code, so the device knows to remove the person's data; the others are not.
		 */
		endedBy: text('ended_by').$type<SessionEnd>(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('sessions_account_idx').on(t.accountId),
		index('sessions_device_idx').on(t.deviceId),
		index('sessions_previous_refresh_idx').on(t.previousRefreshHash)
	]
);

/**
 * Who did what, append-only and tamper-evident (audit.ts): each row's hash covers the
 * previous row's hash and its own fields, so changing or removing a row breaks every hash
 * after it. A trigger (migration) refuses UPDATE, DELETE and TRUNCATE. No IIN, phone or
 * code is ever written here: subjects are ids.
 */
export const auditLog = pgTable('audit_log', {
	/** 1, 2, 3… with no gaps: a missing number is a removed row. */
	seq: bigint('seq', { mode: 'number' }).primaryKey(),
	at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
	/** The account that acted, or null (a device before sign-in, the CLI, the old review token). */
	actor: uuid('actor'),
	device: text('device'),
	action: text('action').notNull(),
	/** What it acted on: an account, an application, a session id. */
	subject: text('subject'),
	prevHash: text('prev_hash').notNull(),
	hash: text('hash').notNull()
});

/** Serials of issued documents: their numbers, and their places in the revocation list. */
export const documentSerialSeq = pgSequence('document_serial_seq');

/**
 * The keys documents are signed with (documents/signing-keys.ts). Every server signs with
 * the newest in force and publishes them all in the trust list; none is ever deleted, since
 * what it signed must stay verifiable.
 */
export const documentKeys = pgTable(
	'document_keys',
	{
		/** The 8-byte key id as base64url, as a document's protected header carries it. */
		id: text('id').primaryKey(),
		/** The public key as a JWK (P-256), as the trust list publishes it. */
		publicKey: jsonb('public_key').$type<TrustedKey['publicKey']>().notNull(),
		/**
		 * The private key (PKCS #8), sealed with AES-256-GCM under the configured secret
		 * (DOCUMENT_KEY_SECRET): base64url of IV ‖ ciphertext. A copy of the database alone
		 * signs nothing.
		 */
		privateKey: text('private_key').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		/** Signs no more from then; what it signed before stays genuine. */
		retiredAt: timestamp('retired_at', { withTimezone: true }),
		/** Trusted for nothing signed from then: its private half may be in other hands. */
		compromisedAt: timestamp('compromised_at', { withTimezone: true })
	},
	(t) => [
		check(
			'document_keys_retire_check',
			sql`${t.compromisedAt} is null or ${t.retiredAt} is not null`
		)
	]
);

/** A document issued for an approved application: one per application, never reissued. */
export const documents = pgTable('documents', {
	serial: bigint('serial', { mode: 'number' }).primaryKey(),
	applicationId: uuid('application_id')
		.notNull()
		.unique()
		.references(() => applications.id),
	keyId: text('key_id')
		.notNull()
		.references(() => documentKeys.id),
	/** The IIN printed beside the number, with which anyone may check it online. */
	checkIin: text('check_iin').notNull(),
	issuedAt: timestamp('issued_at', { withTimezone: true }).notNull()
});
