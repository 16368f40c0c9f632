/**
 * Whatever happens between queuing and the server (photos cut off, the server away,
 * answers lost, more queued meanwhile), once the link holds everything queued reaches the
 * server exactly once, each application's mutations in the order they were made, and the
 * server never has to refuse one as out of order. A model of the server's order rule
 * stands in for it (sync-server/sync/push.ts): new ids above every seq seen, known ids answered
 * again.
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDatabase, type DalaDatabase, type StoredFile } from '../../app/lib/db/database';
import { createDraft, startAmendment } from '../../app/lib/drafts/start-draft';
import { submitDraft } from '../../app/lib/drafts/submit-draft';
import { storeFile } from '../../app/lib/files/upload';
import type { FileSender } from '../../app/lib/sync/attachments';
import { SyncEngine } from '../../app/lib/sync/engine';
import { SyncError, type SyncTransport } from '../../app/lib/sync/transport';
import type { ApplicationState, Mutation, MutationResult } from '../../shared/protocol';

class ModelServer implements SyncTransport {
	constructor(private readonly db: DalaDatabase) {}
	applied: Mutation[] = [];
	/** Mutations that arrived naming a photo that had not: the real server refuses them. */
	withoutFiles = 0;
	refusedOutOfOrder = 0;
	lastSeq = 0;
	known = new Map<string, MutationResult>();
	offline = false;
	/** Commits the next push but loses its answer. */
	loseAnswer = false;
	/** Runs as the next push arrives: the person queuing while a pass runs. */
	duringPush?: () => Promise<void>;

	async push(mutations: Mutation[]) {
		const during = this.duringPush;
		this.duringPush = undefined;
		await during?.();
		if (this.offline) throw new SyncError('offline', 'Failed to fetch');
		if (mutations.some((m) => !this.known.has(m.id) && m.seq <= this.lastSeq)) {
			this.refusedOutOfOrder++;
			throw new SyncError('refused', 'out of order', 400, 'out_of_order');
		}
		for (const m of mutations) {
			if (this.known.has(m.id)) continue;
			for (const value of Object.values(m.answers)) {
				const copies = await this.db.files.where('sha256').equals(String(value)).toArray();
				if (copies.length > 0 && !copies.some((f) => f.state === 'uploaded')) this.withoutFiles++;
			}
		}
		const results = mutations.map((m) => {
			const known = this.known.get(m.id);
			if (known) return known;
			this.applied.push(m);
			const application: ApplicationState = {
				id: m.applicationId,
				serviceId: 'trade-outlet-permit',
				serviceVersion: 1,
				status: 'received',
				reference: 'DL-2026-000001',
				version: this.applied.filter((a) => a.applicationId === m.applicationId).length,
				answers: m.answers as Record<string, string>,
				updatedAt: new Date(0).toISOString()
			};
			const result: MutationResult = { mutationId: m.id, status: 'applied', application };
			this.known.set(m.id, result);
			return result;
		});
		this.lastSeq = Math.max(this.lastSeq, ...mutations.map((m) => m.seq));
		if (this.loseAnswer) {
			this.loseAnswer = false;
			throw new SyncError('offline', 'connection reset');
		}
		return { results, bytesSent: 100 };
	}
	async pull(cursor: string | undefined) {
		if (this.offline) throw new SyncError('offline', 'Failed to fetch');
		return { changes: [], cursor: cursor ?? 'c0', hasMore: false };
	}
}

class ModelFiles implements FileSender {
	cut = false;
	constructor(private readonly db: DalaDatabase) {}
	async send(fileId: string) {
		const file = (await this.db.files.get(fileId))!;
		if (this.cut) throw new Error('Failed to fetch');
		const change: Partial<StoredFile> = { state: 'uploaded', offset: file.size };
		await this.db.files.update(fileId, change);
		return { ...file, ...change };
	}
}

type Step =
	| { kind: 'plain' }
	| { kind: 'permit' }
	| { kind: 'permitWhileSending' }
	| { kind: 'amend'; pick: number; photo: boolean }
	| { kind: 'cutFiles' | 'restoreFiles' | 'serverAway' | 'serverBack' | 'loseAnswer' | 'sync' };

const step: fc.Arbitrary<Step> = fc.oneof(
	fc.constant({ kind: 'plain' } as const),
	fc.constant({ kind: 'permit' } as const),
	fc.constant({ kind: 'permitWhileSending' } as const),
	fc.record({ kind: fc.constant('amend' as const), pick: fc.nat(), photo: fc.boolean() }),
	fc
		.constantFrom(
			...(['cutFiles', 'restoreFiles', 'serverAway', 'serverBack', 'loseAnswer', 'sync'] as const)
		)
		.map((kind) => ({ kind }))
);

let n = 0;

describe('photos, holds and order, whatever happens', () => {
	it('everything arrives once, in order per application, never out of order', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
				const db = openDatabase(`attachments-property-${n++}`);
				await db.open();
				try {
					const server = new ModelServer(db);
					const files = new ModelFiles(db);
					const engine = new SyncEngine({ db, transport: server, files, batchSize: 3 });
					/** Per application, the answers' `mark` of each mutation, as queued. */
					const queued = new Map<string, string[]>();
					let photos = 0;
					let marks = 0;
					const photo = async (draftId: string, field: string) => {
						const sha256 = (++photos).toString(16).padStart(64, '0');
						await storeFile(db, draftId, field, {
							blob: new Blob([new Uint8Array(10)], { type: 'image/jpeg' }),
							type: 'image/jpeg',
							size: 10,
							sha256
						});
						return sha256;
					};
					const record = (applicationId: string, mark: string) =>
						queued.set(applicationId, [...(queued.get(applicationId) ?? []), mark]);
					const plain = async () => {
						const draft = await createDraft(db, 'individual-entrepreneur', 1);
						const mark = String(++marks);
						await submitDraft(db, draft.id, { mark });
						record(draft.id, mark);
					};
					const permit = async () => {
						const draft = await createDraft(db, 'trade-outlet-permit', 1);
						const mark = String(++marks);
						await submitDraft(db, draft.id, {
							mark,
							idDocumentPhoto: await photo(draft.id, 'idDocumentPhoto'),
							sitePhoto: await photo(draft.id, 'sitePhoto')
						});
						record(draft.id, mark);
					};

					for (const s of steps) {
						switch (s.kind) {
							case 'plain':
								await plain();
								break;
							case 'permit':
								await permit();
								break;
							case 'permitWhileSending':
								// A permit and a plain one, queued while the next push is on its way.
								server.duringPush = async () => {
									await permit();
									await plain();
								};
								break;
							case 'amend': {
								// Only what the server holds can be corrected.
								const held = await db.mirror.toArray();
								if (held.length === 0) break;
								const server = held[s.pick % held.length]!;
								const draft = await startAmendment(db, server);
								const mark = String(++marks);
								const answers: Record<string, string> = { ...server.answers, mark };
								if (s.photo) answers.sitePhoto = await photo(draft.id, 'sitePhoto');
								await submitDraft(db, draft.id, answers);
								record(server.id, mark);
								break;
							}
							case 'cutFiles':
								files.cut = true;
								break;
							case 'restoreFiles':
								files.cut = false;
								break;
							case 'serverAway':
								server.offline = true;
								break;
							case 'serverBack':
								server.offline = false;
								break;
							case 'loseAnswer':
								server.loseAnswer = true;
								break;
							case 'sync':
								await engine.sync();
						}
					}

					files.cut = false;
					server.offline = false;
					server.loseAnswer = false;
					expect(await engine.sync()).toBe(true);
					// What was queued during the last push, if any, goes in one more pass.
					expect(await engine.sync()).toBe(true);

					expect(server.refusedOutOfOrder).toBe(0);
					expect(server.withoutFiles).toBe(0);
					expect(await db.outbox.toArray()).toEqual([]);
					const applied = new Map<string, string[]>();
					for (const m of server.applied) {
						applied.set(m.applicationId, [
							...(applied.get(m.applicationId) ?? []),
							m.answers.mark as string
						]);
					}
					expect(applied).toEqual(queued);
					expect(new Set(server.applied.map((m) => m.id)).size).toBe(server.applied.length);
				} finally {
					await db.delete();
				}
			}),
			{ numRuns: 150 }
		);
	}, 60_000);
});
