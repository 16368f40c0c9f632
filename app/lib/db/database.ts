import Dexie, { type EntityTable, type Table } from 'dexie';
import type { Session } from '../../../shared/session';
import type { FieldErrors, RejectCode } from '../../../shared/errors';
import type { FileType } from '../../../shared/files';
import type { ApplicationState, DevicePublicKey, Mutation } from '../../../shared/protocol';
import type { ServiceSpec } from '../../../shared/services/definition';
import type { Answers } from '../../../shared/services/validate';

/** What a person is filling in; autosaved on every change. */
export interface Draft {
	/** A UUIDv7; a new application keeps this id when the draft is submitted. */
	id: string;
	serviceId: string;
	serviceVersion: number;
	answers: Answers;
	/** Set when the draft corrects an application the server already holds. */
	amends?: { applicationId: string; baseVersion: number };
	/** The step the person was last on (or `'check'`), where opening the draft resumes. */
	step?: string;
	/**
	 * Set when the draft was moved to a newer version of its service: the version it was
	 * started on, and the inputs that version did not have, which are all it asks for.
	 */
	migrated?: { from: number; askOnly: string[] };
	/**
	 * Set on a correction that answers a request for more information: the inputs the
	 * office asked for again, marked on the form; only the steps holding them are visited.
	 */
	asked?: string[];
	createdAt: number;
	updatedAt: number;
}

/** An application as the person submitted it on this device. */
export interface SubmittedApplication {
	id: string;
	serviceId: string;
	serviceVersion: number;
	/** What the person last sent: the submission, or their latest correction. */
	answers: Answers;
	submittedAt: number;
	/** When the server acknowledged the submission (its state's time then), once it has. */
	receivedAt?: number;
}

/** Why the server refused a mutation for good. */
export interface Rejection {
	code: RejectCode | 'refused';
	fieldErrors?: FieldErrors;
}

/** A wire mutation as queued: no seq yet, and answers as the form holds them. */
type Queued<T> = T extends unknown ? Omit<T, 'seq' | 'answers'> & { answers: Answers } : never;

/**
 * A mutation waiting for the server. `seq` is assigned by IndexedDB in the same
 * transaction that stores the change, so it is the device's order of events; a queued
 * mutation is never edited (a correction is a new mutation).
 */
export type OutboxEntry = Queued<Mutation> & {
	seq?: number;
	createdAt: number;
	/** Set when the server refused it; a refused entry is never sent again. */
	rejection?: Rejection;
	/** Set when the server had moved on past its base version: the state it had then. */
	conflict?: ApplicationState;
};

/** The sync engine's state, shared by every tab through liveQuery. */
export interface SyncState {
	/** idle, or sending/receiving in the tab that holds the sync lock. */
	phase: 'idle' | 'sending' | 'receiving';
	/** Outbox sequence numbers in the request now in flight. */
	inFlight: number[];
	/** Progress of the current run: mutations sent of those that were waiting at its start. */
	sent: number;
	total: number;
	/** Compressed bytes sent in the current run. */
	bytesSent: number;
	/**
	 * Photos being uploaded before the mutations that name them can be sent, each with its
	 * bytes so far; empty or absent when none (app/lib/sync/attachments.ts).
	 */
	uploads?: UploadProgress[];
	lastSuccessAt?: number;
	lastError?: SyncErrorInfo;
	nextAttemptAt?: number;
}

/** One file of an application on its way to the server. */
export interface UploadProgress {
	fileId: string;
	applicationId: string;
	/** The answer (photo field) that names it. */
	field: string;
	/** Bytes the server has of it. */
	sent: number;
	total: number;
}

export interface SyncErrorInfo {
	kind: 'offline' | 'server' | 'refused' | 'update_required' | 'signed_out';
	at: number;
	detail?: string;
}

/**
 * A photo or document kept on the device until the server has it (app/lib/files/). The
 * Blob is what will be sent: already downscaled and re-encoded, so it has no metadata left.
 */
export interface StoredFile {
	/** A UUIDv7. */
	id: string;
	/** The draft (later the application: the same id) it belongs to. */
	draftId: string;
	/** The form field it answers. */
	field: string;
	/** SHA-256 of `blob`, 64 hex digits: how the server names and verifies it. */
	sha256: string;
	type: FileType;
	size: number;
	blob: Blob;
	/** waiting: not (fully) on the server; uploaded: verified there; refused: for good. */
	state: 'waiting' | 'uploaded' | 'refused';
	/** The tus upload URL once created: a reload or a cut resumes from it. */
	uploadUrl?: string;
	/** Bytes the server confirmed, as of the last chunk. */
	offset: number;
	/** Why the server refused it (an ErrorCode). */
	refusal?: string;
	createdAt: number;
}

/**
 * The catalogue the server last published (`GET /api/services`), one row under the key
 * `published`. While there is none the app uses the services it was built with.
 */
export interface StoredCatalogue {
	key: 'published';
	/** Every version of every service, as the server sent them (parsed, so well formed). */
	services: ServiceSpec[];
	/** The server's ETag for it, sent back as If-None-Match. */
	etag: string;
	/** When this body was downloaded. */
	fetchedAt: number;
	/** When the server last said it is current (a 200 or a 304). */
	checkedAt: number;
}

/**
 * This device's identity: the key that signs its requests, and the id derived from it.
 * Made once by app/lib/sync/device.ts and kept in `meta` under `device`.
 */
export interface DeviceIdentity {
	id: string;
	privateKey: CryptoKey;
	publicKey: DevicePublicKey;
}

type Meta =
	| { key: 'device'; value: DeviceIdentity }
	| { key: 'cursor'; value: string }
	| { key: 'sync'; value: SyncState }
	/**
	 * The highest seq this device has ever put in a push: the server may have recorded it,
	 * so a mutation below it that was never sent must get a new seq (attachments.ts).
	 */
	| { key: 'sentSeq'; value: number }
	/** The person signed in on this device (lib/db/session-store.ts); sync code reads it. */
	| { key: 'session'; value: Session };

export type MetaKey = Meta['key'];
export type MetaValue<K extends MetaKey> = Extract<Meta, { key: K }>['value'];

export type DalaDatabase = Dexie & {
	drafts: EntityTable<Draft, 'id'>;
	applications: EntityTable<SubmittedApplication, 'id'>;
	// A plain Table: Dexie's EntityTable cannot express a union of entry shapes.
	outbox: Table<OutboxEntry, number>;
	/** Server state of this device's applications (promise 7: only the server sets it). */
	mirror: EntityTable<ApplicationState, 'id'>;
	meta: EntityTable<Meta, 'key'>;
	files: EntityTable<StoredFile, 'id'>;
	catalogue: EntityTable<StoredCatalogue, 'key'>;
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
	// Never change a version once shipped: add the next one.
	db.version(2).stores({ files: 'id, draftId, sha256, state' });
	db.version(3).stores({ catalogue: 'key' });
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
