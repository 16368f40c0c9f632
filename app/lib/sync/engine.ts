import type { ApplicationState, MutationResult } from '../../../shared/protocol';
import { MAX_BODY_BYTES, MAX_PUSH_BATCH } from '../../../shared/protocol';
import {
	getMeta,
	setMeta,
	type DalaDatabase,
	type OutboxEntry,
	type SyncErrorInfo,
	type SyncState
} from '../db/database';
import { isPending, toMutation } from '../db/outbox';
import { mayNameFiles, sendAttachments, type FileSender } from './attachments';
import { backoffDelay } from './backoff';
import { SyncError, type PushReceipt, type SyncTransport } from './transport';

export interface SyncEngineOptions {
	db: DalaDatabase;
	transport: SyncTransport;
	/** Uploads the photos mutations name; without it, those mutations wait. */
	files?: FileSender;
	batchSize?: number;
	/** At most this many bytes of mutations (JSON, before gzip) per push; 256 KiB by default. */
	batchBytes?: number;
	now?: () => number;
	random?: () => number;
	/** Called with the delay until the next retry after a failed pass. */
	scheduleRetry?: (delayMs: number) => void;
}

const IDLE: SyncState = { phase: 'idle', inFlight: [], sent: 0, total: 0, bytesSent: 0 };

/**
 * Bytes of mutations per push: on 2G (≈ 280 kbps) 256 KiB before gzip is a few seconds on
 * the wire, so a cut link loses little, and it is far under the server's MAX_BODY_BYTES,
 * which counts the inflated body too. A kiosk's long answers fill this before 25 entries.
 */
const BATCH_BYTES = 256 * 1024;

// Whole-request refusals that a smaller batch can get past: one item is at fault.
const ITEM_ATTRIBUTABLE = new Set(['invalid_body', 'body_too_large', 'out_of_order']);

/**
 * Drains the outbox to the server and pulls back what changed. Only one tab runs it at
 * a time (see leader.ts). Every step is written to IndexedDB before the next one starts,
 * so the power may fail anywhere: an unacknowledged mutation stays in the outbox and is
 * sent again, and the server answers a repeat with its first answer.
 */
/**
 * True when what stopped sending ends only by the person's doing: an outdated app cannot
 * succeed by retrying, nor can an ended session. The update prompt, or signing in (which
 * asks for a sync), takes over; no timer, poll or Background Sync tries again meanwhile,
 * which would only knock on the server and make the sync bar flicker.
 */
export function waitsForPerson(error: Pick<SyncErrorInfo, 'kind'> | undefined): boolean {
	return error?.kind === 'update_required' || error?.kind === 'signed_out';
}

export class SyncEngine {
	readonly #db: DalaDatabase;
	readonly #transport: SyncTransport;
	readonly #files: FileSender | undefined;
	readonly #batchSize: number;
	readonly #batchBytes: number;
	readonly #now: () => number;
	readonly #random: () => number;
	readonly #scheduleRetry: (delayMs: number) => void;
	#attempt = 0;
	/** Before this time the server asked not to be called (Retry-After): no pass starts. */
	#notBefore = 0;
	#running: Promise<boolean> | null = null;
	#again = false;
	/** The last pass stopped on something only the person can end (`waitsForPerson`). */
	#stoppedForPerson = false;

	constructor(options: SyncEngineOptions) {
		this.#db = options.db;
		this.#transport = options.transport;
		this.#files = options.files;
		// Small enough that a cut link on 2G loses little and progress moves; large enough
		// that a day's queue of a kiosk goes in a few round trips.
		this.#batchSize = Math.min(options.batchSize ?? 25, MAX_PUSH_BATCH);
		this.#batchBytes = Math.min(options.batchBytes ?? BATCH_BYTES, MAX_BODY_BYTES);
		this.#now = options.now ?? Date.now;
		this.#random = options.random ?? Math.random;
		this.#scheduleRetry = options.scheduleRetry ?? (() => {});
	}

	/**
	 * Runs a sync pass: push everything waiting, then pull. If a pass is already running
	 * another one follows it, so a mutation queued meanwhile is not left behind; after a
	 * pass that stopped for the person too, since the asking may be their answer (a
	 * sign-in), and nothing else would try again.
	 * Resolves true when the last pass succeeded. While the server's Retry-After lasts it
	 * resolves false at once, sending nothing: the retry it scheduled will run the pass.
	 */
	sync(): Promise<boolean> {
		if (this.#now() < this.#notBefore) return Promise.resolve(false);
		if (this.#running) {
			this.#again = true;
			return this.#running;
		}
		this.#running = (async () => {
			let ok: boolean;
			do {
				this.#again = false;
				ok = await this.#pass();
			} while (this.#again && (ok || this.#stoppedForPerson));
			return ok;
		})().finally(() => {
			this.#running = null;
		});
		return this.#running;
	}

	/** After a crash the stored state may say "sending"; nothing is in flight at start. */
	async reset(): Promise<void> {
		const state = (await getMeta(this.#db, 'sync')) ?? IDLE;
		await setMeta(this.#db, 'sync', { ...state, phase: 'idle', inFlight: [], uploads: [] });
	}

	async #pass(): Promise<boolean> {
		try {
			const uploadStopped = await this.#pushAll();
			await this.#pullAll();
			// What could be sent was; the photos that could not go wait for the retry.
			if (uploadStopped) throw uploadStopped;
			this.#attempt = 0;
			await this.#update({
				phase: 'idle',
				inFlight: [],
				uploads: [],
				lastSuccessAt: this.#now(),
				lastError: undefined,
				nextAttemptAt: undefined
			});
			return true;
		} catch (error) {
			const failure = error instanceof SyncError ? error : null;
			if (!failure) console.error('sync failed', error);
			const lastError: SyncErrorInfo = {
				kind: failure?.kind ?? 'server',
				at: this.#now(),
				detail: failure?.code ?? failure?.message
			};
			let nextAttemptAt: number | undefined;
			this.#stoppedForPerson = waitsForPerson(lastError);
			if (!this.#stoppedForPerson) {
				this.#attempt += 1;
				// A server that said how long to wait (a rate limit, an overload) is waited for,
				// and never sooner than the back-off.
				const asked = failure?.retryAfterMs ?? 0;
				const delay = Math.max(backoffDelay(this.#attempt, this.#random), asked);
				this.#notBefore = this.#now() + asked;
				nextAttemptAt = this.#now() + delay;
				this.#scheduleRetry(delay);
			}
			await this.#update({ phase: 'idle', inFlight: [], uploads: [], lastError, nextAttemptAt });
			return false;
		}
	}

	/** Resolves with why uploading photos stopped, if it did; what did not wait was sent. */
	async #pushAll(): Promise<SyncError | undefined> {
		const db = this.#db;
		const files = await sendAttachments(db, this.#files, (uploads) =>
			this.#update({ phase: 'sending', uploads })
		);
		const uploadStopped = files.interrupted
			? files.interrupted instanceof SyncError
				? files.interrupted
				: new SyncError('offline', 'photos could not be uploaded')
			: undefined;
		// A mutation waiting for its photos holds its application's later ones, no others;
		// one queued since the files were looked at goes now only if it names none.
		const sendable = (entry: OutboxEntry) =>
			isPending(entry) &&
			entry.seq! < (files.heldFrom.get(entry.applicationId) ?? Infinity) &&
			(files.examined(entry) || !mayNameFiles(entry));
		const total = await db.outbox.filter(sendable).count();
		if (total === 0) return uploadStopped;
		let sent = 0;
		let bytesSent = 0;
		let limit = this.#batchSize;
		await this.#update({ phase: 'sending', sent, total, bytesSent, inFlight: [] });
		for (;;) {
			const batch = withinBytes(
				await db.outbox.orderBy('seq').filter(sendable).limit(limit).toArray(),
				this.#batchBytes
			);
			if (batch.length === 0) return uploadStopped;
			await this.#update({ inFlight: batch.map((entry) => entry.seq!) });
			// Passing a mutation that waits for its files, or one queued since they were looked
			// at: say so before the batch leaves, as the server may record it even if the
			// answer never comes back. (Only then: any other pending mutation is below every
			// later one, so it was sent first.)
			const last = batch.at(-1)!.seq!;
			const late = batch.some((entry) => !files.examined(entry));
			if (files.heldFrom.size > 0 || late) await this.#passing(last);
			let receipt: PushReceipt;
			try {
				receipt = await this.#transport.push(batch.map(toMutation));
			} catch (error) {
				if (!(error instanceof SyncError && ITEM_ATTRIBUTABLE.has(error.code ?? ''))) throw error;
				// Split the batch until the one at fault is alone, then refuse just that one,
				// so it can neither block the queue nor take the others down with it.
				if (batch.length > 1) {
					limit = Math.ceil(batch.length / 2);
					continue;
				}
				await db.outbox.update(batch[0]!.seq!, { rejection: { code: 'refused' } });
				continue;
			}
			await this.#acknowledge(batch, receipt.results);
			sent += batch.length;
			bytesSent += receipt.bytesSent;
			limit = this.#batchSize;
			await this.#update({ sent, total: Math.max(total, sent), bytesSent, inFlight: [] });
		}
	}

	/** Records that mutations up to `seq` may have reached the server (attachments.ts). */
	async #passing(seq: number): Promise<void> {
		const sentSeq = (await getMeta(this.#db, 'sentSeq')) ?? 0;
		if (seq > sentSeq) await setMeta(this.#db, 'sentSeq', seq);
	}

	/** Applies the server's answers to one batch in one transaction. */
	async #acknowledge(batch: OutboxEntry[], results: MutationResult[]): Promise<void> {
		const db = this.#db;
		if (results.length !== batch.length || results.some((r, i) => r.mutationId !== batch[i]!.id)) {
			throw new SyncError('server', 'the server answered for other mutations');
		}
		await db.transaction('rw', db.outbox, db.mirror, db.applications, async () => {
			for (const [i, result] of results.entries()) {
				const entry = batch[i]!;
				const seq = entry.seq!;
				if (result.status === 'rejected') {
					await db.outbox.update(seq, {
						rejection: { code: result.code, fieldErrors: result.fieldErrors }
					});
				} else {
					// Answers left out of a result are exactly those this entry sent.
					const state = {
						...result.application,
						answers: result.application.answers ?? entry.answers
					};
					await this.#mirror(state);
					// The state carries only its last change: keep when the office received it,
					// for the application's timeline once a decision has moved it on.
					// (A duplicate's state may be a later change: its time is the receipt only
					// while the application is still received.)
					const received =
						result.status === 'applied' ||
						(result.status === 'duplicate' && state.status === 'received');
					if (entry.type === 'application.submit' && received) {
						const receivedAt = Date.parse(state.updatedAt);
						if (receivedAt) {
							await db.applications
								.where('id')
								.equals(entry.applicationId)
								.filter((a) => a.receivedAt === undefined)
								.modify({ receivedAt });
						}
					}
					// Server truth goes to the mirror; a conflicting change waits beside it.
					if (result.status === 'conflict') await db.outbox.update(seq, { conflict: state });
					else await db.outbox.delete(seq);
				}
			}
		});
	}

	async #pullAll(): Promise<void> {
		const db = this.#db;
		await this.#update({ phase: 'receiving', inFlight: [] });
		let cursor = await getMeta(db, 'cursor');
		for (;;) {
			let page;
			try {
				page = await this.#transport.pull(cursor);
			} catch (error) {
				// A cursor the server no longer knows means "start over", never a dead device.
				if (error instanceof SyncError && error.code === 'invalid_cursor' && cursor) {
					cursor = undefined;
					continue;
				}
				throw error;
			}
			await db.transaction('rw', db.mirror, db.meta, async () => {
				for (const change of page.changes) await this.#mirror(change);
				await setMeta(db, 'cursor', page.cursor);
			});
			cursor = page.cursor;
			if (!page.hasMore) return;
		}
	}

	/** Stores server state, never letting an older answer overwrite a newer one. */
	async #mirror(state: ApplicationState): Promise<void> {
		const current = await this.#db.mirror.get(state.id);
		if (!current || current.version <= state.version) await this.#db.mirror.put(state);
	}

	async #update(patch: Partial<SyncState>): Promise<void> {
		await this.#db.transaction('rw', this.#db.meta, async () => {
			const state = (await getMeta(this.#db, 'sync')) ?? IDLE;
			await setMeta(this.#db, 'sync', { ...state, ...patch });
		});
	}
}

/**
 * The first entries of `batch` whose mutations fit in `bytes` of JSON, and always the
 * first: one entry too large for any push is sent alone, refused `body_too_large`, and
 * marked refused by the split above rather than blocking the queue.
 */
function withinBytes(batch: OutboxEntry[], bytes: number): OutboxEntry[] {
	const encoder = new TextEncoder();
	let total = 0;
	let count = 0;
	for (const entry of batch) {
		total += encoder.encode(JSON.stringify(toMutation(entry))).byteLength + 1;
		if (count > 0 && total > bytes) break;
		count++;
	}
	return batch.slice(0, count);
}
