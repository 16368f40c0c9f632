import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DalaDatabase } from '../../app/lib/db/database';
import { toMutation } from '../../app/lib/db/outbox';
import { reviseRejected } from '../../app/lib/drafts/revise-rejected';
import { createDraft, startAmendment, startAnswer } from '../../app/lib/drafts/start-draft';
import { submitDraft } from '../../app/lib/drafts/submit-draft';

let db: DalaDatabase;
let n = 0;

beforeEach(async () => {
	db = openDatabase(`drafts-test-${n++}`);
	await db.open();
});
afterEach(async () => {
	await db.delete();
});

const answers = { fullName: 'Айгүл' };

describe('submitting a draft', () => {
	it('writes the application and its mutation together and removes the draft', async () => {
		const draft = await createDraft(db, 'individual-entrepreneur', 1);
		await submitDraft(db, draft.id, answers);

		expect(await db.drafts.count()).toBe(0);
		expect(await db.applications.get(draft.id)).toMatchObject({ id: draft.id, answers });
		const [entry] = await db.outbox.toArray();
		expect(entry).toMatchObject({ applicationId: draft.id, type: 'application.submit', answers });
		expect(toMutation(entry!)).toMatchObject({ seq: entry!.seq, applicationId: draft.id });
	});

	it('writes nothing when any part fails: the draft stays, no mutation is queued', async () => {
		const draft = await createDraft(db, 'individual-entrepreneur', 1);
		// A row already under the draft's id makes the application insert fail mid-transaction.
		await db.applications.add({
			id: draft.id,
			serviceId: 'x',
			serviceVersion: 1,
			answers: {},
			submittedAt: 0
		});

		await expect(submitDraft(db, draft.id, answers)).rejects.toThrow();

		expect(await db.outbox.count()).toBe(0);
		expect(await db.drafts.get(draft.id)).toBeDefined();
	});

	it('is harmless when repeated (a double click)', async () => {
		const draft = await createDraft(db, 'individual-entrepreneur', 1);
		await Promise.all([submitDraft(db, draft.id, answers), submitDraft(db, draft.id, answers)]);
		expect(await db.outbox.count()).toBe(1);
		expect(await db.applications.count()).toBe(1);
	});

	it('queues a correction as a new mutation on the version the person saw', async () => {
		const draft = await createDraft(db, 'individual-entrepreneur', 1);
		await submitDraft(db, draft.id, answers);
		const server = {
			id: draft.id,
			serviceId: 'individual-entrepreneur',
			serviceVersion: 1,
			status: 'received' as const,
			reference: 'DL-2026-000001',
			version: 3,
			answers,
			updatedAt: new Date(0).toISOString()
		};
		const correction = await startAmendment(db, server);
		await submitDraft(db, correction.id, { fullName: 'Айгүл Сейтқали' });

		const entries = await db.outbox.orderBy('seq').toArray();
		expect(entries.map((e) => e.type)).toEqual(['application.submit', 'application.amend']);
		expect(entries[1]).toMatchObject({ applicationId: draft.id, baseVersion: 3 });
		expect(entries[0]!.answers).toEqual(answers);
		expect((await db.applications.get(draft.id))?.answers).toEqual({ fullName: 'Айгүл Сейтқали' });
	});
});

describe('answering a request for more information', () => {
	it('queues the answer as a correction on the version that asked, the asked inputs marked', async () => {
		const draft = await createDraft(db, 'individual-entrepreneur', 1);
		await submitDraft(db, draft.id, answers);
		const server = {
			id: draft.id,
			serviceId: 'individual-entrepreneur',
			serviceVersion: 1,
			status: 'more_information' as const,
			reference: 'DL-2026-000001',
			version: 2,
			answers,
			request: { fields: ['fullName'], message: 'Толық атыңызды жазыңыз' },
			updatedAt: new Date(0).toISOString()
		};
		const answer = await startAnswer(db, server);
		expect(await db.drafts.get(answer.id)).toMatchObject({
			asked: ['fullName'],
			amends: { applicationId: draft.id, baseVersion: 2 },
			answers
		});
		await submitDraft(db, answer.id, { fullName: 'Айгүл Нұрланқызы Сейтқали' });

		const amend = (await db.outbox.orderBy('seq').toArray()).at(-1);
		expect(amend).toMatchObject({ type: 'application.amend', baseVersion: 2 });
		expect(await db.drafts.count()).toBe(0);
	});

	it('marks nothing on a correction made without a request', async () => {
		const correction = await startAmendment(db, {
			id: '0190a000-0000-7000-8000-000000000009',
			serviceId: 'individual-entrepreneur',
			serviceVersion: 1,
			status: 'received',
			reference: 'DL-2026-000009',
			version: 1,
			answers,
			updatedAt: new Date(0).toISOString()
		});
		expect((await db.drafts.get(correction.id))?.asked).toBeUndefined();
	});
});

describe('revising a refused mutation', () => {
	it('turns a refused submission back into a draft with its answers', async () => {
		const draft = await createDraft(db, 'individual-entrepreneur', 1);
		await submitDraft(db, draft.id, answers);
		const [entry] = await db.outbox.toArray();
		await db.outbox.update(entry!.seq!, { rejection: { code: 'invalid_answers' } });

		const revised = await reviseRejected(db, entry!.seq!);

		expect(revised.answers).toEqual(answers);
		expect(await db.drafts.get(revised.id)).toBeDefined();
		expect(await db.applications.count()).toBe(0);
		expect(await db.outbox.count()).toBe(0);
	});
});
