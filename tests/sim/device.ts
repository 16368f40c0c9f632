import type { DalaDatabase } from '../../app/lib/db/database';
import { openDatabase } from '../../app/lib/db/database';
import { isPending, resolveConflict } from '../../app/lib/db/outbox';
import { createDraft, startAmendment } from '../../app/lib/drafts/start-draft';
import { submitDraft } from '../../app/lib/drafts/submit-draft';
import { reviseRejected } from '../../app/lib/drafts/revise-rejected';
import { deviceIdentity } from '../../app/lib/sync/device';
import { storeFile } from '../../app/lib/files/upload';
import { SyncEngine } from '../../app/lib/sync/engine';
import { httpTransport } from '../../app/lib/sync/transport';
import type { Answers } from '../../shared/services/validate';
import { mayAmend } from '../../shared/status';
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

/**
 * One simulated phone: its own IndexedDB (fake-indexeddb), its own key, the real outbox
 * code, the real SyncEngine and the real HTTP transport over the faulty network.
 * A restart drops everything in memory and keeps IndexedDB, like a killed tab.
 */
export class SimDevice {
	db!: DalaDatabase;
	engine!: SyncEngine;
	id = '';
	readonly name: string;
	/** Refused submissions the person put back into a draft: application id → draft id. */
	readonly revised = new Map<string, string>();
	readonly #network: FaultyNetwork;
	readonly #clock: () => number;

	private constructor(name: string, network: FaultyNetwork, clock: () => number) {
		this.name = name;
		this.#network = network;
		this.#clock = clock;
	}

	static async start(name: string, network: FaultyNetwork, clock: () => number) {
		const device = new SimDevice(name, network, clock);
		await device.#boot();
		return device;
	}

	async #boot(): Promise<void> {
		this.db = openDatabase(this.name);
		await this.db.open();
		const identity = await deviceIdentity(this.db);
		this.id = identity.id;
		this.engine = new SyncEngine({
			db: this.db,
			transport: httpTransport(identity, {
				baseUrl: 'http://dala.sim',
				fetch: this.#network.fetch
			}),
			files: simFileSender(this.db, identity, 'http://dala.sim', this.#network.fetch),
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
