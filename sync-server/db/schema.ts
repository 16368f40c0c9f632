/**
 * The central database. Every table here is written only inside a transaction that also
 * records why (a mutation) or appends to the change feed, so devices can converge on it.
 */
import { sql } from 'drizzle-orm';
import {
	bigserial,
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
	uuid
} from 'drizzle-orm/pg-core';
import type { DevicePublicKey, MutationResult } from '../../shared/protocol';
import type { Answers } from '../../shared/services/validate';
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
	 * The highest seq of any mutation this device sent that was recorded. A new mutation
	 * must come above it (promise 3); the row is locked for the length of each push, so
	 * one device's pushes take effect one after another, on any number of servers.
	 */
	lastSeq: integer('last_seq').notNull().default(0),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
});

const statusList = sql.raw(APPLICATION_STATUSES.map((s) => `'${s}'`).join(', '));

export const applications = pgTable(
	'applications',
	{
		/** Made on the device (UUIDv7), so a device can refer to it before it is synced. */
		id: uuid('id').primaryKey(),
		/** The owner until people sign in; only this device may see the application. */
		deviceId: text('device_id').notNull(),
		serviceId: text('service_id').notNull(),
		serviceVersion: integer('service_version').notNull(),
		/** Normalized by the service definition; only the fields it asks for. */
		answers: jsonb('answers').$type<Answers>().notNull(),
		status: text('status').$type<ApplicationStatus>().notNull(),
		reference: text('reference').notNull().unique(),
		/** Starts at 1 and grows by one with every change; devices keep the highest. */
		version: integer('version').notNull().default(1),
		/** Why it was rejected, in the reviewer's words. */
		reason: text('reason'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('applications_device_id_idx').on(t.deviceId),
		// Statuses are the server's word (promise 7): the database refuses any other.
		check('applications_status_check', sql`${t.status} in (${statusList})`),
		check('applications_version_check', sql`${t.version} >= 1`)
	]
);

/**
 * The idempotency record: one row per mutation a device ever sent, holding the exact
 * result it was answered. Written in the same transaction as the mutation's effect, so
 * a retry after a lost response finds the row and gets the same answer, and nothing twice.
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
 * The change feed devices pull from: a row for every change to an application, in the
 * transaction that made it. `txid` is that transaction's id; the pull reads the feed in
 * (txid, seq) order and only below the oldest running transaction, so no row can ever
 * appear behind a cursor already handed out (see routes/sync.ts).
 */
export const changes = pgTable(
	'changes',
	{
		seq: bigserial('seq', { mode: 'bigint' }).primaryKey(),
		txid: xid8('txid')
			.notNull()
			.default(sql`pg_current_xact_id()`),
		applicationId: uuid('application_id')
			.notNull()
			.references(() => applications.id),
		/** Whose feed the change belongs to: the application's owner. */
		deviceId: text('device_id').notNull()
	},
	(t) => [index('changes_device_feed_idx').on(t.deviceId, t.txid, t.seq)]
);
