/**
 * A simulated phone: its own IndexedDB (fake-indexeddb, one database per device), its own
 * signing key, and the app's real outbox, SyncEngine and httpTransport talking HTTP through
 * the chaos proxy. Only the person is simulated: when they submit, correct, and when the
 * app's tab dies and comes back.
 *
 * The device also keeps the test's own record of what the person did (every application
 * and mutation it queued), written only after IndexedDB committed it: that record, not
 * the outbox, is what the checks hold the server to.
 */
import {
	getMeta,
	openDatabase,
	type DalaDatabase,
	type DeviceIdentity
} from '../../app/lib/db/database';
import { isPending } from '../../app/lib/db/outbox';
import { readSession } from '../../app/lib/db/session-store';
import { createDraft, startAmendment } from '../../app/lib/drafts/start-draft';
import { submitDraft } from '../../app/lib/drafts/submit-draft';
import { deviceIdentity } from '../../app/lib/sync/device';
import { SyncEngine } from '../../app/lib/sync/engine';
import { sessionTokens } from '../../app/lib/sync/session-tokens';
import { httpTransport, type SyncTransport } from '../../app/lib/sync/transport';
import { iinCheckDigit } from '../../shared/iin';
import type { ApplicationState } from '../../shared/protocol';
import { individualEntrepreneur } from '../../shared/services/individual-entrepreneur';
import { validateAnswers, type Answers } from '../../shared/services/validate';
import { sleep, type Rng } from './random';
import { personFor, signIn, type CodeReader } from './sign-in';

/** One mutation the person caused, as the device queued it. */
export interface QueuedMutation {
	id: string;
	seq: number;
	type: 'application.submit' | 'application.amend';
	applicationId: string;
	answers: Answers;
	baseVersion?: number;
}

export interface DeviceStats {
	passes: number;
	failedPasses: number;
	restarts: number;
}

const ACTIVITIES = ['retail', 'catering', 'agriculture', 'transport', 'it'] as const;

/** Valid, normalized answers, different for every device and application. */
export function answersFor(device: number, n: number, amendment = 0): Answers {
	// Born 1990-01-01 .. : the serial makes each IIN unique; skip serials with no check digit.
	let serial = device * 1000 + n * 10;
	let first11 = '';
	let check: number | null = null;
	while (check === null) {
		first11 = `900101${String(serial++).padStart(5, '0')}`;
		check = iinCheckDigit(first11);
	}
	const raw = {
		iin: `${first11}${check}`,
		fullName: `Person ${device}-${n}`,
		businessName: amendment ? `IE ${device}-${n}, corrected ${amendment}` : `IE ${device}-${n}`,
		activity: ACTIVITIES[(device + n + amendment) % ACTIVITIES.length]!,
		address: `Region ${device}, village ${n}, street ${amendment + 1}`,
		phone: `8 (701) ${String(device).padStart(3, '0')}-${String(n).padStart(2, '0')}-0${amendment % 10}`
	};
	// What the form does before it lets the person submit: the shared rules, normalized.
	const validation = validateAnswers(individualEntrepreneur, raw);
	if (!validation.ok) throw new Error(`test answers invalid: ${JSON.stringify(validation)}`);
	return validation.answers;
}

export class SimDevice {
	readonly index: number;
	readonly name: string;
	readonly #rng: Rng;
	readonly #baseUrl: string;
	#db!: DalaDatabase;
	#engine!: SyncEngine;
	#transport!: SyncTransport;
	#identity!: DeviceIdentity;
	// Person actions and restarts take turns: a submit never races the tab closing, so
	// "queued" in the record below always means "committed to IndexedDB".
	#turn: Promise<unknown> = Promise.resolve();
	// Passes of engines whose tab was closed under them; awaited before the checks.
	readonly #orphans: Promise<unknown>[] = [];
	// Application id → the person's number for it, so a correction keeps the same IIN.
	readonly #numbers = new Map<string, number>();
	/** Every mutation queued, in queue order. */
	readonly queued: QueuedMutation[] = [];
	readonly stats: DeviceStats = { passes: 0, failedPasses: 0, restarts: 0 };

	private constructor(index: number, rng: Rng, baseUrl: string, prefix: string) {
		this.index = index;
		this.name = `${prefix}-device-${index}`;
		this.#rng = rng;
		this.#baseUrl = baseUrl;
	}

	/** Opens (creates) the device's database and its identity, as the app does on start. */
	static async open(index: number, rng: Rng, baseUrl: string, prefix: string) {
		const device = new SimDevice(index, rng, baseUrl, prefix);
		await device.#start();
		return device;
	}

	get db(): DalaDatabase {
		return this.#db;
	}

	/** The server's name for this device: the thumbprint of its key. */
	get id(): string {
		return this.#identity.id;
	}

	/**
	 * The device's person (one of their own) signs in, straight at the server: every push,
	 * pull and refresh then shows the session, which outlives the run (15 minutes).
	 */
	async signIn(serverUrl: string, readCode: CodeReader): Promise<void> {
		await signIn(this.#db, personFor(this.index), serverUrl, readCode);
	}

	async signedIn(): Promise<boolean> {
		return (await readSession(this.#db)) !== undefined;
	}

	/** The person fills in and submits application number `n`. Returns its id. */
	async submit(n: number): Promise<string> {
		return this.#exclusive(async () => {
			const answers = answersFor(this.index, n);
			const draft = await createDraft(this.#db, individualEntrepreneur.id, 1, {});
			await this.#submitAndRecord(draft.id, draft.id, answers);
			this.#numbers.set(draft.id, n);
			return draft.id;
		});
	}

	/**
	 * The person corrects an application from what their screen shows (the mirror), or
	 * from `seen` when the test wants a base version it chose. Null when there is nothing
	 * on the screen to correct yet.
	 */
	async amend(
		applicationId: string,
		amendment: number,
		seen?: ApplicationState
	): Promise<QueuedMutation | null> {
		return this.#exclusive(async () => {
			const state = seen ?? (await this.#db.mirror.get(applicationId));
			if (!state) return null;
			const answers = answersFor(this.index, this.#numbers.get(applicationId) ?? 0, amendment);
			const draft = await startAmendment(this.#db, state);
			return this.#submitAndRecord(draft.id, applicationId, answers);
		});
	}

	/** One sync pass, as the app's runner starts it. */
	async sync(): Promise<boolean> {
		this.stats.passes += 1;
		const ok = await this.#engine.sync().catch(() => false);
		if (!ok) this.stats.failedPasses += 1;
		return ok;
	}

	/**
	 * The tab dies in the middle of a sync pass and the app starts again: memory (the
	 * engine, its batch in flight) is gone, IndexedDB is kept. The dead pass's request
	 * may still reach the server, alongside the new engine's retry of the same batch.
	 */
	async crashDuringSync(afterMs: number): Promise<void> {
		const dying = this.#engine.sync();
		this.#orphans.push(dying.catch(() => false));
		await sleep(afterMs);
		await this.#exclusive(async () => {
			this.#db.close();
			this.stats.restarts += 1;
			await this.#start();
		});
	}

	/** Entries still to be sent (not answered refused or conflict). */
	async pending(): Promise<number> {
		return this.#db.outbox.filter(isPending).count();
	}

	/**
	 * Syncs until nothing is waiting and a pull after a successful pass brings nothing
	 * new: the device has converged with the server.
	 */
	async settle(deadline: number): Promise<void> {
		for (;;) {
			if (Date.now() > deadline) {
				const state = await getMeta(this.#db, 'sync');
				throw new Error(`${this.name} did not settle: ${JSON.stringify(state)}`);
			}
			if ((await this.sync()) && (await this.pending()) === 0) {
				const cursor = await getMeta(this.#db, 'cursor');
				const page = await this.#transport.pull(cursor).catch(() => null);
				if (page && page.changes.length === 0 && !page.hasMore) return;
			}
			await sleep(this.#rng.int(20, 200));
		}
	}

	/** Waits for passes orphaned by crashes, then closes the database. */
	async close(): Promise<void> {
		await Promise.all(this.#orphans);
		this.#db.close();
	}

	/** Deletes the device's database (the end of the run). */
	async destroy(): Promise<void> {
		await this.close();
		await this.#db.delete();
	}

	async #start(): Promise<void> {
		this.#db = openDatabase(this.name);
		await this.#db.open();
		this.#identity = await deviceIdentity(this.#db);
		// The session is read from IndexedDB on every call: a reopened tab is still signed in.
		const session = sessionTokens(this.#db, this.#identity, { baseUrl: this.#baseUrl });
		this.#transport = httpTransport(this.#identity, { baseUrl: this.#baseUrl, session });
		this.#engine = new SyncEngine({
			db: this.#db,
			transport: this.#transport,
			random: () => this.#rng.next()
		});
		// As the runner does on start: a "sending" left by the dead tab is stale.
		await this.#engine.reset();
	}

	/**
	 * submitDraft inside a transaction that also reads back the outbox entry it made, so
	 * the record learns the entry's id and seq before a sync pass can send and delete it.
	 */
	async #submitAndRecord(
		draftId: string,
		applicationId: string,
		answers: Answers
	): Promise<QueuedMutation> {
		const db = this.#db;
		// Every table submitDraft writes, photos included, or Dexie refuses the nesting.
		const tables = [db.drafts, db.applications, db.outbox, db.files];
		const entry = await db.transaction('rw', tables, async () => {
			await submitDraft(db, draftId, answers);
			return db.outbox.where('applicationId').equals(applicationId).last();
		});
		if (!entry?.seq) throw new Error(`no outbox entry for ${applicationId}`);
		const queued: QueuedMutation = {
			id: entry.id,
			seq: entry.seq,
			type: entry.type,
			applicationId,
			answers,
			...(entry.type === 'application.amend' && { baseVersion: entry.baseVersion })
		};
		this.queued.push(queued);
		return queued;
	}

	#exclusive<T>(work: () => Promise<T>): Promise<T> {
		const run = this.#turn.then(work, work);
		this.#turn = run.catch(() => {});
		return run;
	}
}
