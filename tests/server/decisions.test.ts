import { asc, eq } from 'drizzle-orm';
import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApplicationState, ErrorBody } from '../../shared/protocol';
import { APPLICATION_STATUSES, mayMove, type ApplicationStatus } from '../../shared/status';
import type { DecisionInput } from '../../sync-server/office/review';
import { decide } from '../support/decide';
import { applicationHistory, applications, auditLog } from '../../sync-server/db/schema';
import type { Database } from '../../sync-server/db/open';
import { backends } from './backends';
import {
	amend,
	counts,
	newDevice,
	newReviewer,
	pullAll,
	push,
	signedCall,
	storedApplication,
	submit,
	useSuite,
	type Device
} from './helpers';

/** The history of one application, oldest first, as the office will read it. */
async function historyOf(db: Database, applicationId: string) {
	return db
		.select({
			kind: applicationHistory.kind,
			fromStatus: applicationHistory.fromStatus,
			toStatus: applicationHistory.toStatus,
			actor: applicationHistory.actor,
			device: applicationHistory.device
		})
		.from(applicationHistory)
		.where(eq(applicationHistory.applicationId, applicationId))
		.orderBy(asc(applicationHistory.id));
}

/** A decision into `to` that the schema accepts, whatever the state machine says of it. */
function decisionInto(to: Exclude<ApplicationStatus, 'received'>, baseVersion: number) {
	switch (to) {
		case 'rejected':
			return { status: to, reasonCode: 'already_registered', baseVersion };
		case 'more_information':
			return { status: to, fields: ['businessName'], message: 'Give the full name.', baseVersion };
		default:
			return { status: to, baseVersion };
	}
}

const ASK: DecisionInput = {
	status: 'more_information',
	fields: ['businessName', 'address'],
	message: 'The business name must match your certificate.',
	baseVersion: 1
};

describe.each(backends)('the state machine on $name', (backend) => {
	const suite = useSuite(backend);

	async function submitted(device?: Device): Promise<ApplicationState> {
		const res = await push(suite.app, device ?? (await newDevice(suite.app)), {
			mutations: [submit()]
		});
		return res.json.results[0].application;
	}

	/** An application brought to `status` through moves the state machine has. */
	async function at(status: ApplicationStatus): Promise<{ id: string; version: number }> {
		const { id } = await submitted();
		const route: Record<ApplicationStatus, Exclude<ApplicationStatus, 'received'>[]> = {
			received: [],
			in_review: ['in_review'],
			more_information: ['more_information'],
			approved: ['approved'],
			rejected: ['rejected']
		};
		let version = 1;
		for (const to of route[status]) {
			const outcome = await decide(suite.db, id, decisionInto(to, version));
			if (outcome.status !== 'applied') throw new Error(`${to}: ${outcome.status}`);
			version += 1;
		}
		return { id, version };
	}

	const pairs = APPLICATION_STATUSES.flatMap((from) =>
		APPLICATION_STATUSES.filter((to) => to !== 'received').map((to) => ({ from, to }))
	).filter(({ from, to }) => !mayMove(from, to, 'reviewer'));

	it.each(pairs)(
		'refuses a reviewer moving $from to $to, writing nothing',
		async ({ from, to }) => {
			const { id, version } = await at(from);
			const before = await counts(suite.db);
			const history = await historyOf(suite.db, id);

			const outcome = await decide(suite.db, id, decisionInto(to, version));

			expect(['closed', 'not_allowed']).toContain(outcome.status);
			expect(outcome).toMatchObject({ application: { status: from, version } });
			expect(await counts(suite.db)).toEqual(before);
			expect(await storedApplication(suite.db, id)).toMatchObject({ status: from, version });
			expect(await historyOf(suite.db, id)).toEqual(history);
		}
	);

	it('refuses received as a decision: nothing moves an application back to it', async () => {
		const { id } = await at('in_review');
		const outcome = await decide(suite.db, id, {
			status: 'received' as 'approved',
			baseVersion: 2
		});
		expect(outcome.status).toBe('invalid');
		expect((await storedApplication(suite.db, id))?.version).toBe(2);
	});

	it.each([
		['received', 'approved'],
		['received', 'rejected'],
		['received', 'more_information'],
		['in_review', 'approved'],
		['in_review', 'rejected'],
		['in_review', 'more_information'],
		['more_information', 'rejected']
	] as const)('lets a reviewer move %s to %s, with a history row', async (from, to) => {
		const { id, version } = await at(from);
		const outcome = await decide(suite.db, id, decisionInto(to, version));
		expect(outcome).toMatchObject({ status: 'applied', application: { status: to } });
		expect((await historyOf(suite.db, id)).at(-1)).toMatchObject({
			kind: 'decided',
			fromStatus: from,
			toStatus: to
		});
	});

	it('closes an open request when the reviewer rejects instead', async () => {
		const { id, version } = await at('more_information');
		const outcome = await decide(suite.db, id, {
			status: 'rejected',
			reason: 'No answer came.',
			baseVersion: version
		});
		expect(outcome.status).toBe('applied');
		if (outcome.status !== 'applied') return;
		expect(outcome.application.request).toBeUndefined();
		expect(await storedApplication(suite.db, id)).toMatchObject({
			requestedFields: null,
			requestMessage: null,
			reason: 'No answer came.',
			reasonCode: null
		});
	});

	it('records receipt, amend and decision in the history, in order', async () => {
		const device = await newDevice(suite.app);
		const state = await submitted(device);
		const amended = await push(suite.app, device, { mutations: [amend(state.id, 1, { seq: 2 })] });
		expect(amended.json.results[0].status).toBe('applied');
		expect((await decide(suite.db, state.id, { status: 'approved', baseVersion: 2 })).status).toBe(
			'applied'
		);
		const history = await historyOf(suite.db, state.id);
		expect(history).toEqual([
			{
				kind: 'received',
				fromStatus: null,
				toStatus: 'received',
				actor: expect.any(String),
				device: device.id
			},
			{
				kind: 'amended',
				fromStatus: 'received',
				toStatus: 'received',
				actor: history[0]!.actor,
				device: device.id
			},
			{ kind: 'decided', fromStatus: 'received', toStatus: 'approved', actor: null, device: null }
		]);
	});

	it('writes no history for a refused submit, a refused amend or a replay', async () => {
		const device = await newDevice(suite.app);
		const first = submit();
		await push(suite.app, device, { mutations: [first] });
		await push(suite.app, device, { mutations: [first] });
		await push(suite.app, device, {
			mutations: [amend(first.applicationId, 7, { seq: 2 })]
		});
		expect(await historyOf(suite.db, first.applicationId)).toHaveLength(1);
	});
});

describe.each(backends)('decisions through the office API on $name', (backend) => {
	const suite = useSuite(backend);
	let reviewer: Device;
	beforeAll(async () => {
		reviewer = await newReviewer(suite.app, suite.db);
	});

	function decision(id: string, body: unknown, signer: Device = reviewer) {
		return signedCall(suite.app, signer, `/api/office/applications/${id}/decision`, body);
	}

	async function submitted(device?: Device): Promise<ApplicationState> {
		const res = await push(suite.app, device ?? (await newDevice(suite.app)), {
			mutations: [submit()]
		});
		return res.json.results[0].application;
	}

	it('goes round the more-information loop: asked, pulled, answered, approved', async () => {
		const owner = await newDevice(suite.app);
		const state = await submitted(owner);
		const { cursor } = await pullAll(suite.app, suite.db, owner);

		const asked = await decision(state.id, ASK);
		expect(asked.status, asked.text).toBe(200);
		expect(asked.json.application).toMatchObject({
			status: 'more_information',
			version: 2,
			request: { fields: ASK.fields, message: ASK.message }
		});

		// The owner's phone learns what is asked on its next pull.
		const pulled = await pullAll(suite.app, suite.db, owner, cursor);
		expect(pulled.changes).toHaveLength(1);
		expect(v.parse(ApplicationState, pulled.changes[0])).toEqual(asked.json.application);

		// Answered: back in review, the request gone, for the reviewer to decide.
		const answered = await push(suite.app, owner, { mutations: [amend(state.id, 2, { seq: 2 })] });
		expect(answered.json.results[0]).toMatchObject({
			status: 'applied',
			application: {
				status: 'in_review',
				version: 3,
				answers: { businessName: 'IE Seitkali and Sons' }
			}
		});
		expect(answered.json.results[0].application.request).toBeUndefined();
		const after = await pullAll(suite.app, suite.db, owner, pulled.cursor);
		expect(after.changes).toEqual([expect.objectContaining({ status: 'in_review', version: 3 })]);
		expect(after.changes[0].request).toBeUndefined();

		const approved = await decision(state.id, { status: 'approved', baseVersion: 3 });
		expect(approved.status).toBe(200);
		expect(approved.json.application).toMatchObject({ status: 'approved', version: 4 });

		const history = await historyOf(suite.db, state.id);
		expect(history.map((h) => [h.kind, h.fromStatus, h.toStatus])).toEqual([
			['received', null, 'received'],
			['decided', 'received', 'more_information'],
			['answered', 'more_information', 'in_review'],
			['decided', 'in_review', 'approved']
		]);
		// Staff decided as themselves, from their device, and the audit log has each decision.
		expect(history[1]).toMatchObject({ device: reviewer.id, actor: expect.any(String) });
		const audited = await suite.db
			.select({ action: auditLog.action, actor: auditLog.actor })
			.from(auditLog)
			.where(eq(auditLog.subject, state.id));
		expect(audited).toEqual([
			{ action: 'application.decided', actor: history[1]!.actor },
			{ action: 'application.decided', actor: history[1]!.actor }
		]);
	});

	it('refuses an answer that arrives after the reviewer rejected instead', async () => {
		const owner = await newDevice(suite.app);
		const state = await submitted(owner);
		await decision(state.id, ASK);
		// The reviewer rejects while the person's answer is still on its way.
		await decision(state.id, {
			status: 'rejected',
			reasonCode: 'already_registered',
			baseVersion: 2
		});
		const late = await push(suite.app, owner, { mutations: [amend(state.id, 2, { seq: 2 })] });
		expect(late.json.results[0]).toMatchObject({
			status: 'rejected',
			code: 'application_closed'
		});
		expect(await storedApplication(suite.db, state.id)).toMatchObject({
			status: 'rejected',
			version: 3
		});
		expect((await historyOf(suite.db, state.id)).map((h) => h.kind)).toEqual([
			'received',
			'decided',
			'decided'
		]);
	});

	it('answers an answer made before the request with conflict, and moves nothing', async () => {
		const owner = await newDevice(suite.app);
		const state = await submitted(owner);
		await decision(state.id, ASK);
		const stale = await push(suite.app, owner, { mutations: [amend(state.id, 1, { seq: 2 })] });
		expect(stale.json.results[0]).toMatchObject({
			status: 'conflict',
			application: { status: 'more_information', version: 2, request: { fields: ASK.fields } }
		});
		expect(await storedApplication(suite.db, state.id)).toMatchObject({
			status: 'more_information',
			version: 2
		});
	});

	it("never sends a request to another owner's pull", async () => {
		const owner = await newDevice(suite.app);
		const other = await newDevice(suite.app);
		const mine = await submitted(owner);
		const theirs = await submitted(other);
		await decision(mine.id, ASK);
		const seen = await pullAll(suite.app, suite.db, other);
		expect(seen.changes.map((c: ApplicationState) => c.id)).toEqual([theirs.id]);
		expect(JSON.stringify(seen.pages.map((p) => p.json))).not.toContain(ASK.message!);
	});

	it('stores a rejection by code, with words of the reviewer, and sends both', async () => {
		const owner = await newDevice(suite.app);
		const state = await submitted(owner);
		const res = await decision(state.id, {
			status: 'rejected',
			reasonCode: 'activity_not_allowed',
			reason: 'Wholesale needs a company.',
			baseVersion: 1
		});
		expect(res.status).toBe(200);
		const { changes } = await pullAll(suite.app, suite.db, owner);
		expect(changes[0]).toMatchObject({
			status: 'rejected',
			reasonCode: 'activity_not_allowed',
			reason: 'Wholesale needs a company.'
		});
	});

	it.each([
		['a rejection with neither code nor words', { status: 'rejected', baseVersion: 1 }, 'reason'],
		[
			"a code outside the service's list",
			{ status: 'rejected', reasonCode: 'medical_record_missing', baseVersion: 1 },
			'reasonCode'
		],
		[
			'a field the service does not have',
			{ ...ASK, fields: ['businessName', 'favouriteColour'] },
			'fields.1'
		],
		['no field at all', { ...ASK, fields: [] }, 'fields'],
		['a request without a message', { ...ASK, message: undefined }, 'message'],
		['a blank message', { ...ASK, message: '   ' }, 'message'],
		['a message over 1000 characters', { ...ASK, message: 'x'.repeat(1001) }, 'message'],
		['a message with a terminal escape', { ...ASK, message: 'Send\u001b[2J it' }, 'message'],
		['fields on an approval', { status: 'approved', fields: ['iin'], baseVersion: 1 }, 'fields']
	])(
		'answers %s with 400 invalid_body naming the field, writing nothing',
		async (_n, body, path) => {
			const state = await submitted();
			const before = await counts(suite.db);
			const res = await decision(state.id, body);
			expect(res.status, res.text).toBe(400);
			const error = v.parse(ErrorBody, res.json).error;
			expect(error.code).toBe('invalid_body');
			expect(Object.keys(error.issues ?? {})).toContain(path);
			expect(await counts(suite.db)).toEqual(before);
			expect(await historyOf(suite.db, state.id)).toHaveLength(1);
		}
	);

	it('answers a move the state machine does not have with 409 and the state', async () => {
		const state = await submitted();
		await decision(state.id, ASK);
		const res = await decision(state.id, { status: 'approved', baseVersion: 2 });
		expect(res.status).toBe(409);
		expect(res.json).toMatchObject({
			status: 'not_allowed',
			application: { status: 'more_information', version: 2 }
		});
	});

	it('lets one of two reviewers deciding at once win; the other is shown what happened', async () => {
		const other = await newReviewer(suite.app, suite.db);
		for (let round = 0; round < 3; round++) {
			const state = await submitted();
			const [a, b] = await Promise.all([
				decision(state.id, { status: 'approved', baseVersion: 1 }),
				decision(
					state.id,
					{ status: 'rejected', reasonCode: 'already_registered', baseVersion: 1 },
					other
				)
			]);
			const answers = [a, b].sort((x, y) => x.status - y.status);
			expect(answers.map((r) => r.status)).toEqual([200, 409]);
			expect(answers[1]!.json).toMatchObject({
				status: 'closed',
				application: answers[0]!.json.application
			});
			const row = await storedApplication(suite.db, state.id);
			expect(row?.version).toBe(2);
			expect(row?.status).toBe(answers[0]!.json.application.status);
			const decided = (await historyOf(suite.db, state.id)).filter((h) => h.kind === 'decided');
			expect(decided).toHaveLength(1);
		}
	});

	it('lets one of two requests for more information at once win, the other conflicts', async () => {
		const other = await newReviewer(suite.app, suite.db);
		const state = await submitted();
		const [a, b] = await Promise.all([
			decision(state.id, { status: 'in_review', baseVersion: 1 }),
			decision(state.id, ASK, other)
		]);
		const answers = [a, b].sort((x, y) => x.status - y.status);
		expect(answers.map((r) => r.status)).toEqual([200, 409]);
		expect(answers[1]!.json).toMatchObject({
			status: 'conflict',
			application: answers[0]!.json.application
		});
		expect(
			await suite.db.$count(applicationHistory, eq(applicationHistory.applicationId, state.id))
		).toBe(2);
	});

	it("answers another region's reviewer 404 on a request for more information", async () => {
		const outsider = await newReviewer(suite.app, suite.db, 'almaty');
		const state = await submitted();
		const res = await decision(state.id, ASK, outsider);
		expect(res.status).toBe(404);
		expect(await storedApplication(suite.db, state.id)).toMatchObject({
			status: 'received',
			version: 1
		});
	});

	it('keeps the request columns and the status in step in the database itself', async () => {
		const state = await submitted();
		await expect(
			suite.db
				.update(applications)
				.set({ status: 'more_information' })
				.where(eq(applications.id, state.id))
		).rejects.toThrow();
	});
});
