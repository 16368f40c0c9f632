import { confirmSignInCode, requestSignInCode } from '../../app/lib/accounts/citizen-sign-in';
import type { DalaDatabase } from '../../app/lib/db/database';
import { openDatabase } from '../../app/lib/db/database';
import { isPending, resolveConflict } from '../../app/lib/db/outbox';
import { createDraft, startAmendment } from '../../app/lib/drafts/start-draft';
import { submitDraft } from '../../app/lib/drafts/submit-draft';
import { reviseRejected } from '../../app/lib/drafts/revise-rejected';
import { readSession } from '../../app/lib/db/session-store';
import { deviceIdentity } from '../../app/lib/sync/device';
import { storeFile } from '../../app/lib/files/upload';
import { SyncEngine } from '../../app/lib/sync/engine';
import { sessionTokens } from '../../app/lib/sync/session-tokens';
import { httpTransport, SyncError } from '../../app/lib/sync/transport';
import type { Answers } from '../../shared/services/validate';
import { mayAmend } from '../../shared/status';
import type { Person } from './answers';
import { photoBytes, simFileSender, simPhoto } from './files';
import type { FaultyNetwork } from './network';
import type { Random } from './random';

/** What a simulated person queued, kept outside the device so a restart cannot hide a loss. */
export interface Queued {
	device: string;
	applicationId: string;
	/** The device's order of events (the outbox seq). */
	seq: number;
	/** Whether the server must accept it. */
	valid: boolean;
	/** Names photos: it goes once they arrived, so after later ones of other applications. */
	photos?: boolean;
}

/** The sign-in codes the server sent, by phone: the person reads the newest one. */
export type Inbox = ReadonlyMap<string, string>;

/**
 * One simulated phone of one person: its own IndexedDB (fake-indexeddb), its own key, the
 * real outbox code, the real SyncEngine, the real HTTP transport and the real session code
 * over the faulty network. A restart drops everything in memory and keeps IndexedDB (the
 * session too), like a killed tab.
 */
export class SimDevice {
	db!: DalaDatabase;
	engine!: SyncEngine;
	id = '';
	readonly name: string;
	readonly person: Person;
	/** Refused submissions the person put back into a draft: application id → draft id. */
	readonly revised = new Map<string, string>();
	/** Sign-ins that succeeded on this device, the first included. */
	signIns = 0;
	readonly #network: FaultyNetwork;
	readonly #clock: () => number;
	readonly #options: { baseUrl: string; fetch: FaultyNetwork['fetch'] };

	private constructor(name: string, person: Person, network: FaultyNetwork, clock: () => number) {
		this.name = name;
		this.person = person;
		this.#network = network;
		this.#clock = clock;
		this.#options = { baseUrl: 'http://dala.sim', fetch: network.fetch };
	}

	static async start(name: string, person: Person, network: FaultyNetwork, clock: () => number) {
		const device = new SimDevice(name, person, network, clock);
		await device.#boot();
		return device;
	}

	async #boot(): Promise<void> {
		this.db = openDatabase(this.name);
		await this.db.open();
		const identity = await deviceIdentity(this.db);
		this.id = identity.id;
		const session = sessionTokens(this.db, identity, this.#options);
		this.engine = new SyncEngine({
			db: this.db,
			transport: httpTransport(identity, { ...this.#options, session }),
			files: simFileSender(this.db, identity, 'http://dala.sim', this.#network.fetch, session),
			now: this.#clock,
			// Retries are driven by the schedule, not by timers.
			scheduleRetry: () => {}
		});
		await this.engine.reset();
	}

	/** Memory gone, IndexedDB kept. */
	async restart(): Promise<void> {
		this.db.close();
		await this.#boot();
	}

	async signedIn(): Promise<boolean> {
		return (await readSession(this.db)) !== undefined;
	}

	/**
	 * The person signs in with their IIN and phone, typing the newest code the phone got.
	 * Over the faulty network either call may fail or its answer be lost (a code spent, a
	 * session the device never saw): the person simply tries again later, with a new code.
	 * Resolves to whether the device holds a session now.
	 */
	async signIn(inbox: Inbox): Promise<boolean> {
		try {
			const { challengeId } = await requestSignInCode(this.db, this.person, this.#options);
			// Sent before the server answered, and sign-ins take turns: the newest is this one's.
			const code = inbox.get(this.person.phone)!;
			await confirmSignInCode(this.db, { challengeId, code }, this.#options);
		} catch (error) {
			if (error instanceof SyncError) return false;
			throw error;
		}
		this.signIns += 1;
		return true;
	}

	/** The person fills in and submits an application: draft, then the one transaction. */
	async apply(answers: Answers, valid: boolean): Promise<Queued> {
		const draft = await createDraft(this.db, 'individual-entrepreneur', 1, answers);
		await submitDraft(this.db, draft.id, answers);
		const entry = await this.db.outbox.where('applicationId').equals(draft.id).first();
		return { device: this.id, applicationId: draft.id, seq: entry!.seq!, valid };
	}

	/**
	 * The person applies for a permit with two photos taken in the form: each made, kept in
	 * Dexie under the draft, and named by its hash in the answers, then the one transaction.
	 */
	async applyWithPhotos(random: Random, answers: Answers): Promise<Queued> {
		const draft = await createDraft(this.db, 'trade-outlet-permit', 1);
		const named: Answers = {};
		for (const field of ['idDocumentPhoto', 'sitePhoto']) {
			const { bytes, sha256 } = simPhoto(random);
			photoBytes.set(sha256, bytes);
			const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' });
			await storeFile(this.db, draft.id, field, {
				blob,
				type: 'image/jpeg',
				size: bytes.length,
				sha256
			});
			named[field] = sha256;
		}
		await submitDraft(this.db, draft.id, { ...answers, ...named });
		const entry = await this.db.outbox.where('applicationId').equals(draft.id).first();
		return {
			device: this.id,
			applicationId: draft.id,
			seq: entry!.seq!,
			valid: true,
			photos: true
		};
	}

	/** The person corrects an application the server holds, if one may be corrected. */
	async amend(random: Random, answers: Answers): Promise<boolean> {
		const open = await this.db.mirror.filter((s) => mayAmend(s.status)).toArray();
		const pendingFor = new Set((await this.db.outbox.toArray()).map((e) => e.applicationId));
		const candidates = open.filter((s) => !pendingFor.has(s.id));
		if (candidates.length === 0) return false;
		const draft = await startAmendment(this.db, random.pick(candidates));
		await submitDraft(this.db, draft.id, answers);
		return true;
	}

	/**
	 * The person deals with what the server answered: a conflict is reapplied or dropped,
	 * a refused correction dropped. A refused submission stays on show, or is sometimes
	 * put back into a draft to correct; either way it must still be there (promise 6).
	 */
	async settle(random: Random): Promise<void> {
		for (const entry of await this.db.outbox.toArray()) {
			if (entry.conflict) {
				await resolveConflict(this.db, entry.seq!, random.chance(0.5) ? 'reapply' : 'discard');
			} else if (entry.rejection && entry.type === 'application.amend') {
				await this.db.outbox.delete(entry.seq!);
			} else if (entry.rejection && random.chance(0.3)) {
				const draft = await reviseRejected(this.db, entry.seq!);
				this.revised.set(entry.applicationId, draft.id);
			}
		}
	}

	async pendingCount(): Promise<number> {
		return this.db.outbox.filter(isPending).count();
	}
}
