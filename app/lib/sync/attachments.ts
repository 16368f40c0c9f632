/**
 * An application is complete only when all its files arrived. Before the engine pushes a
 * mutation whose answers name photos this device holds, it uploads them; a mutation whose
 * files have not all arrived is held, never sent half (the server would refuse it for
 * good, `file_missing`), and never refused by the device for a cut link.
 *
 * Order (promise 3, docs/sync-protocol.md "Mutations that wait for their files"): a held
 * mutation holds the later mutations of its own application, but not those of other
 * applications: one person's slow photo must not keep a kiosk's whole day in the outbox.
 * Those others may then reach the server first, and the server takes a new mutation only
 * above every seq it has seen from the device; so when a held application's files have
 * arrived, its pending mutations move to the end of the queue, in their own order, with
 * their ids unchanged (an id the server already answered is answered the same under any
 * seq).
 */
import * as v from 'valibot';
import { FieldErrorCode, RejectCode, type FieldErrors } from '../../../shared/errors';
import { Sha256 } from '../../../shared/files';
import {
	getMeta,
	type DalaDatabase,
	type OutboxEntry,
	type StoredFile,
	type UploadProgress
} from '../db/database';
import { isPending } from '../db/outbox';
import { photoStates, type Attachment } from '../files/photo-states';

/** Sends one stored file; the app's is `fileSender` (file-sender.ts). */
export interface FileSender {
	/**
	 * Resolves with the file's final row: `uploaded` or `refused` for good. Rejects when
	 * it cannot be sent now (offline, server down); the file stays `waiting`.
	 */
	send(fileId: string, onProgress: (sent: number, total: number) => void): Promise<StoredFile>;
}

/** Whether an entry's answers may name files: any answer shaped as a SHA-256. */
export function mayNameFiles(entry: OutboxEntry): boolean {
	return Object.values(entry.answers).some((value) => v.is(Sha256, value));
}

/**
 * The files an entry's answers name that this device holds. A photo answer is a SHA-256;
 * any answer of that shape that matches a stored file is one, so this needs no service
 * definition (the device may know services only from its catalogue). No query at all for
 * answers without one, which is every mutation of a service without photos.
 */
async function attachmentsOf(db: DalaDatabase, entry: OutboxEntry): Promise<Attachment[]> {
	const named = Object.entries(entry.answers).filter(([, value]) => v.is(Sha256, value));
	return named.length === 0 ? [] : photoStates(db, named);
}

/** What the engine may push after `sendAttachments`. */
export interface AttachmentsOutcome {
	/** Application id → the lowest seq held for its files: it and later ones of it wait. */
	heldFrom: Map<string, number>;
	/** Why uploading stopped early, if it did (usually the link): the pass should retry. */
	interrupted?: unknown;
	/**
	 * Whether a mutation was looked at (its id survives a move). One queued since, while
	 * the pass runs, may name files nobody has sent yet: it waits for the next pass if it
	 * names any.
	 */
	examined: (entry: OutboxEntry) => boolean;
}

/**
 * Uploads the files that pending mutations name, oldest mutation first, reporting bytes
 * as they go; marks a mutation whose photo the server refused for good (so the person
 * replaces it); moves a released application behind what was sent past it; and says
 * which mutations must still wait.
 */
export async function sendAttachments(
	db: DalaDatabase,
	sender: FileSender | undefined,
	report: (uploads: UploadProgress[]) => Promise<void>
): Promise<AttachmentsOutcome> {
	// The usual pass: no file waits or was refused, and nothing was sent past a mutation
	// that waited (sentSeq is below every pending seq). Nothing can need a file then, and
	// the outbox is not read here at all.
	const outstanding = await db.files.where('state').anyOf('waiting', 'refused').count();
	if (outstanding === 0) {
		const sentSeq = (await getMeta(db, 'sentSeq')) ?? 0;
		const first = await db.outbox.orderBy('seq').filter(isPending).first();
		if (!first || first.seq! > sentSeq) {
			const last = (await db.outbox.orderBy('seq').last())?.seq ?? 0;
			return { heldFrom: new Map(), examined: (entry) => entry.seq! <= last };
		}
	}

	const pending = await db.outbox.orderBy('seq').filter(isPending).toArray();
	const ids = new Set(pending.map((entry) => entry.id));
	const examined = (entry: OutboxEntry) => ids.has(entry.id);
	const named = new Map<OutboxEntry, Attachment[]>();
	for (const entry of pending) {
		const attachments = await attachmentsOf(db, entry);
		if (attachments.length > 0) named.set(entry, attachments);
	}
	if (named.size === 0) return { heldFrom: new Map(), examined };

	// Each waiting file once, in the order of the first mutation that needs it.
	const toSend = new Map<string, UploadProgress>();
	for (const [entry, attachments] of named) {
		for (const a of attachments) {
			if (a.state !== 'waiting' || toSend.has(a.sha256)) continue;
			toSend.set(a.sha256, {
				fileId: a.file!.id,
				applicationId: entry.applicationId,
				field: a.field,
				sent: a.file!.offset,
				total: a.file!.size
			});
		}
	}

	let interrupted: unknown;
	if (sender && toSend.size > 0) {
		const progress = [...toSend.values()];
		await report(progress);
		// Progress events come many times a second on a fast link: write at most ~4 a second.
		let lastReport = 0;
		for (const item of progress) {
			try {
				const row = await sender.send(item.fileId, (sent, total) => {
					Object.assign(item, { sent, total });
					const now = Date.now();
					if (now - lastReport < 250) return;
					lastReport = now;
					void report(progress.map((p) => ({ ...p })));
				});
				if (row.state === 'uploaded') item.sent = item.total;
				await report(progress.map((p) => ({ ...p })));
			} catch (error) {
				// Offline or the server is down: what arrived stays on the server for next time.
				interrupted = error;
				break;
			}
		}
	}

	const heldFrom = new Map<string, number>();
	const released = new Set<string>();
	for (const entry of named.keys()) {
		const attachments = await attachmentsOf(db, entry);
		const refused = attachments.filter((a) => a.state === 'refused');
		if (refused.length > 0) {
			await refuseForFiles(db, entry, refused);
			continue;
		}
		if (attachments.some((a) => a.state === 'waiting')) {
			const held = heldFrom.get(entry.applicationId);
			if (held === undefined || entry.seq! < held) heldFrom.set(entry.applicationId, entry.seq!);
		} else released.add(entry.applicationId);
	}
	for (const applicationId of released) {
		if (!heldFrom.has(applicationId)) await moveBehindSent(db, applicationId);
	}
	if (sender && toSend.size > 0 && !interrupted) await report([]);
	return { heldFrom, interrupted, examined };
}

/**
 * A photo the server refused for good (not an image, too large, damaged) cannot be sent
 * as it is: the mutation is marked refused on that field, as the server would refuse it,
 * so the application shows what to do and "Correct and send again" brings it back as a
 * draft in which the person replaces the photo. Never for a cut link: that only waits.
 */
async function refuseForFiles(
	db: DalaDatabase,
	entry: OutboxEntry,
	refused: readonly Attachment[]
): Promise<void> {
	const fieldErrors: FieldErrors = Object.fromEntries(
		refused.map((a) => [a.field, FieldErrorCode.fileRefused])
	);
	await db.transaction('rw', db.outbox, async () => {
		const current = await db.outbox.get(entry.seq!);
		if (!current || !isPending(current)) return;
		await db.outbox.update(entry.seq!, {
			rejection: { code: RejectCode.invalidAnswers, fieldErrors }
		});
	});
}

/**
 * Gives an application's pending mutations new seqs at the end of the queue, in their
 * order, when something later was sent while they waited: the server would refuse a new
 * mutation below a seq it has seen (`out_of_order`). Nothing moves when nothing passed.
 */
async function moveBehindSent(db: DalaDatabase, applicationId: string): Promise<void> {
	await db.transaction('rw', db.outbox, db.meta, async () => {
		const sentSeq = (await getMeta(db, 'sentSeq')) ?? 0;
		const entries = (await db.outbox.where('applicationId').equals(applicationId).toArray())
			.filter(isPending)
			.sort((a, b) => a.seq! - b.seq!);
		if (entries.length === 0 || entries[0]!.seq! > sentSeq) return;
		for (const { seq, ...entry } of entries) {
			await db.outbox.delete(seq!);
			await db.outbox.add(entry as OutboxEntry);
		}
	});
}
