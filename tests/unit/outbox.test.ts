import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DalaDatabase } from '../../app/lib/db/database';
import { pendingMutations, resolveConflict } from '../../app/lib/db/outbox';
import { createDraft } from '../../app/lib/drafts/start-draft';
import { submitDraft } from '../../app/lib/drafts/submit-draft';

let db: DalaDatabase;
let n = 0;

beforeEach(async () => {
	db = openDatabase(`outbox-test-${n++}`);
	await db.open();
});
afterEach(async () => {
	await db.delete();
});

const answers = { fullName: 'Айгүл' };

describe('the outbox', () => {
	it('keeps the order in which applications were submitted', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) {
			const draft = await createDraft(db, 'individual-entrepreneur', 1);
			ids.push(draft.id);
		}
		// Submit in an order different from creation.
		const order = [ids[3]!, ids[0]!, ids[4]!, ids[1]!, ids[2]!];
		for (const id of order) await submitDraft(db, id, answers);

		const pending = await pendingMutations(db, 10);
		expect(pending.map((e) => e.applicationId)).toEqual(order);
		const seqs = pending.map((e) => e.seq!);
		expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
	});

	it('skips refused mutations but keeps them for the person', async () => {
		for (let i = 0; i < 3; i++) {
			const draft = await createDraft(db, 'individual-entrepreneur', 1);
			await submitDraft(db, draft.id, answers);
		}
		const [first] = await db.outbox.toArray();
		await db.outbox.update(first!.seq!, { rejection: { code: 'invalid_answers' } });

		expect(await pendingMutations(db, 10)).toHaveLength(2);
		expect(await db.outbox.count()).toBe(3);
	});

	it('reapplies a conflicting correction on the current version, or drops it', async () => {
		const draft = await createDraft(db, 'individual-entrepreneur', 1);
		await submitDraft(db, draft.id, answers);
		await db.outbox.clear();
		const server = {
			id: draft.id,
			serviceId: 'individual-entrepreneur',
			serviceVersion: 1,
			status: 'in_review' as const,
			reference: 'DL-2026-000001',
			version: 2,
			answers,
			updatedAt: new Date(0).toISOString()
		};
		const seq = await db.outbox.add({
			id: '0190a000-0000-7000-8000-000000000001',
			type: 'application.amend',
			applicationId: draft.id,
			baseVersion: 1,
			answers: { fullName: 'new' },
			createdAt: 0,
			conflict: server
		});

		await resolveConflict(db, seq, 'reapply');
		const [again] = await db.outbox.toArray();
		expect(again).toMatchObject({ baseVersion: 2, answers: { fullName: 'new' } });
		expect(again!.conflict).toBeUndefined();
		expect(again!.seq).toBeGreaterThan(seq);

		await db.outbox.update(again!.seq!, { conflict: server });
		await resolveConflict(db, again!.seq!, 'discard');
		expect(await db.outbox.count()).toBe(0);
	});
});
