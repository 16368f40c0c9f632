import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getApplication, listApplications } from '../../app/lib/applications';
import { openDatabase, type DalaDatabase } from '../../app/lib/db/database';
import { createDraft, startAmendment } from '../../app/lib/drafts/start-draft';
import { submitDraft } from '../../app/lib/drafts/submit-draft';
import type { ApplicationState } from '../../shared/protocol';

let db: DalaDatabase;
let n = 0;

beforeEach(async () => {
	db = openDatabase(`applications-test-${n++}`);
	await db.open();
});
afterEach(async () => {
	await db.delete();
});

/** An application the server holds, as a pull brings it. */
function server(id: string, updatedAt: string, version = 1): ApplicationState {
	return {
		id,
		serviceId: 'individual-entrepreneur',
		serviceVersion: 1,
		status: 'received',
		reference: `DL-2026-${id.slice(-6)}`,
		version,
		answers: { fullName: 'Айгүл' },
		updatedAt
	};
}

const OTHER = '0190a000-0000-7000-8000-000000000001';

async function submitHere(answers = { fullName: 'Бекзат' }): Promise<string> {
	const draft = await createDraft(db, 'individual-entrepreneur', 1);
	await submitDraft(db, draft.id, answers);
	return draft.id;
}

describe('applications sent from another linked device', () => {
	it('are listed from the server state alone, and nothing is written for them', async () => {
		await db.mirror.put(server(OTHER, '2026-03-01T09:30:00.000Z'));

		const [view, ...rest] = await listApplications(db);

		expect(rest).toEqual([]);
		expect(view).toEqual({
			application: {
				id: OTHER,
				serviceId: 'individual-entrepreneur',
				serviceVersion: 1,
				answers: { fullName: 'Айгүл' },
				submittedAt: Date.parse('2026-03-01T09:30:00.000Z')
			},
			fromOtherDevice: true,
			state: { kind: 'received', server: server(OTHER, '2026-03-01T09:30:00.000Z') },
			correction: undefined
		});
		expect(await db.applications.count()).toBe(0);
	});

	it('sit among this device’s own, newest first, each listed once', async () => {
		await db.mirror.put(server(OTHER, new Date(Date.now() - 60_000).toISOString()));
		const mine = await submitHere();
		// This device's own application, once the server has answered: mirrored too.
		await db.mirror.put(server(mine, new Date().toISOString()));
		const older = '0190a000-0000-7000-8000-000000000002';
		await db.mirror.put(server(older, '2020-01-01T00:00:00.000Z'));

		const views = await listApplications(db);

		expect(views.map((v) => [v.application.id, v.fromOtherDevice])).toEqual([
			[mine, false],
			[OTHER, true],
			[older, true]
		]);
		expect(views[0]!.application.answers).toEqual({ fullName: 'Бекзат' });
	});

	it('open one by one, and an unknown id is still not found', async () => {
		await db.mirror.put(server(OTHER, '2026-03-01T09:30:00.000Z'));

		expect(await getApplication(db, OTHER)).toMatchObject({
			application: { id: OTHER, serviceId: 'individual-entrepreneur' },
			fromOtherDevice: true,
			state: { kind: 'received', server: { reference: 'DL-2026-000001' } }
		});
		expect(await getApplication(db, '0190a000-0000-7000-8000-0000000000ff')).toBeNull();
	});

	it('can be corrected here: the correction waits beside the server state', async () => {
		await db.mirror.put(server(OTHER, '2026-03-01T09:30:00.000Z'));
		const draft = await startAmendment(db, (await db.mirror.get(OTHER))!);
		await submitDraft(db, draft.id, { fullName: 'Айгүл Нұрланқызы' });

		const view = await getApplication(db, OTHER);

		expect(view).toMatchObject({
			fromOtherDevice: true,
			state: { kind: 'received' },
			correction: {
				kind: 'waiting',
				entry: {
					type: 'application.amend',
					baseVersion: 1,
					answers: { fullName: 'Айгүл Нұрланқызы' }
				}
			}
		});
		expect(await db.applications.count()).toBe(0);
	});
});

describe('applications sent from this device', () => {
	it('are not marked as from another device, before or after the server answers', async () => {
		const id = await submitHere();
		expect(await getApplication(db, id)).toMatchObject({
			fromOtherDevice: false,
			state: { kind: 'waiting' }
		});

		await db.mirror.put(server(id, new Date().toISOString()));
		expect(await getApplication(db, id)).toMatchObject({
			fromOtherDevice: false,
			state: { kind: 'received' }
		});
	});
});
