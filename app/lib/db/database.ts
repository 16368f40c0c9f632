import Dexie, { type EntityTable } from 'dexie';
import type { FieldErrors, RejectCode } from '../../../shared/errors';
import type { ApplicationState } from '../../../shared/protocol';
import type { Answers } from '../../../shared/services/validate';

/** What a person is filling in; autosaved on every change. */
export interface Draft {
	/** A UUIDv7; the application keeps this id when the draft is submitted. */
	id: string;
	serviceId: string;
	serviceVersion: number;
	answers: Answers;
	createdAt: number;
	updatedAt: number;
}

/** An application as the person submitted it on this device. */
export interface SubmittedApplication {
	id: string;
	serviceId: string;
	serviceVersion: number;
	answers: Answers;
	submittedAt: number;
}

/** Why the server refused a mutation for good. */
export interface Rejection {
	code: RejectCode | 'refused';
	fieldErrors?: FieldErrors;
}

/**
 * A mutation waiting for the server. `seq` is assigned by IndexedDB in the same
 * transaction that stores the application, so it is the device's order of events.
 */
export interface OutboxEntry {
	seq?: number;
	/** The mutation id (UUIDv7): the server's idempotency key. */
	id: string;
	type: 'application.submit';
	applicationId: string;
	serviceId: string;
	serviceVersion: number;
	answers: Answers;
	createdAt: number;
	/** Set when the server refused it; a rejected entry is never sent again. */
	rejection?: Rejection;
}

/** The sync engine's state, shared by every tab through liveQuery. */
export interface SyncState {
	/** idle, or sending/receiving in the tab that holds the sync lock. */
	phase: 'idle' | 'sending' | 'receiving';
	/** Outbox sequence numbers in the request now in flight. */
	inFlight: number[];
	/** Progress of the current run: mutations sent of those that were waiting at its start. */
	sent: number;
	total: number;
	lastSuccessAt?: number;
	lastError?: SyncErrorInfo;
	nextAttemptAt?: number;
}

export interface SyncErrorInfo {
	kind: 'offline' | 'server' | 'refused' | 'update_required';
	at: number;
	detail?: string;
}

type Meta =
	| { key: 'deviceId'; value: string }
	| { key: 'cursor'; value: string }
	| { key: 'sync'; value: SyncState };

export type MetaKey = Meta['key'];
export type MetaValue<K extends MetaKey> = Extract<Meta, { key: K }>['value'];

export type DalaDatabase = Dexie & {
	drafts: EntityTable<Draft, 'id'>;
	applications: EntityTable<SubmittedApplication, 'id'>;
	outbox: EntityTable<OutboxEntry, 'seq'>;
	/** Server state of this device's applications (promise 7: only the server sets it). */
	mirror: EntityTable<ApplicationState, 'id'>;
	meta: EntityTable<Meta, 'key'>;
};

/** Opens (and on first use creates) the device database. */
export function openDatabase(name = 'dala'): DalaDatabase {
	const db = new Dexie(name) as DalaDatabase;
	db.version(1).stores({
		drafts: 'id, updatedAt',
		applications: 'id, submittedAt',
		outbox: '++seq, &id, applicationId',
		mirror: 'id',
		meta: 'key'
	});
	return db;
}

/** Reads one meta value. */
export async function getMeta<K extends MetaKey>(
	db: DalaDatabase,
	key: K
): Promise<MetaValue<K> | undefined> {
	const row = await db.meta.get(key);
	return row?.value as MetaValue<K> | undefined;
}

/** Writes one meta value. */
export async function setMeta<K extends MetaKey>(
	db: DalaDatabase,
	key: K,
	value: MetaValue<K>
): Promise<void> {
	await db.meta.put({ key, value } as Meta);
}

/** This device's id, made once and kept for the life of the database. */
export async function deviceId(db: DalaDatabase): Promise<string> {
	return db.transaction('rw', db.meta, async () => {
		const existing = await getMeta(db, 'deviceId');
		if (existing) return existing;
		const id = crypto.randomUUID();
		await setMeta(db, 'deviceId', id);
		return id;
	});
}
