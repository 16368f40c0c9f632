import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApplicationState, ErrorBody } from '../../shared/protocol';
import { decide } from '../support/decide';
import { backends } from './backends';
import {
	answer,
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

describe.each(backends)('decide on $name', (backend) => {
	const suite = useSuite(backend);

	async function submitted(): Promise<ApplicationState> {
		const device = await newDevice(suite.app);
		const res = await push(suite.app, device, { mutations: [submit()] });
		return res.json.results[0].application;
	}

	it('records a decision: version + 1, one change in the owner feed, the new state', async () => {
		const device = await newDevice(suite.app);
		const pushed = await push(suite.app, device, { mutations: [submit()] });
		const state: ApplicationState = pushed.json.results[0].application;
		const { cursor } = await pullAll(suite.app, suite.db, device);
		const before = await counts(suite.db);

		const outcome = await decide(suite.db, state.id, {
			status: 'rejected',
			reason: '  The address is outside the district. ',
			baseVersion: 1
		});

		expect(outcome.status).toBe('applied');
		if (outcome.status !== 'applied') return;
		expect(v.parse(ApplicationState, outcome.application)).toMatchObject({
			id: state.id,
			status: 'rejected',
			reason: 'The address is outside the district.',
			version: 2,
			answers: state.answers
		});
		expect(await counts(suite.db)).toEqual({ ...before, changes: before.changes + 1 });
		const { changes } = await pullAll(suite.app, suite.db, device, cursor);
		expect(changes).toEqual([outcome.application]);
	});

	it('answers conflict with the current state when the version moved, and writes nothing', async () => {
		const state = await submitted();
		await decide(suite.db, state.id, { status: 'in_review', baseVersion: 1 });
		const before = await counts(suite.db);

		const outcome = await decide(suite.db, state.id, { status: 'approved', baseVersion: 1 });

		expect(outcome).toMatchObject({
			status: 'conflict',
			application: { id: state.id, status: 'in_review', version: 2 }
		});
		expect(await counts(suite.db)).toEqual(before);
		expect(await storedApplication(suite.db, state.id)).toMatchObject({
			status: 'in_review',
			version: 2
		});
	});

	it('keeps a decision once made', async () => {
		const state = await submitted();
		await decide(suite.db, state.id, { status: 'approved', baseVersion: 1 });
		const outcome = await decide(suite.db, state.id, {
			status: 'rejected',
			reason: 'Changed my mind',
			baseVersion: 2
		});
		expect(outcome).toMatchObject({ status: 'closed', application: { status: 'approved' } });
		expect((await storedApplication(suite.db, state.id))?.version).toBe(2);
	});

	it.each([
		['a rejection without a reason', { status: 'rejected', baseVersion: 1 }, 'reason'],
		[
			'a rejection with a blank reason',
			{ status: 'rejected', reason: ' ', baseVersion: 1 },
			'reason'
		],
		['a reason on an approval', { status: 'approved', reason: 'fine', baseVersion: 1 }, 'reason'],
		['a version of 0', { status: 'approved', baseVersion: 0 }, 'baseVersion'],
		[
			'a reason PostgreSQL cannot store',
			{ status: 'rejected', reason: 'no\u0000', baseVersion: 1 },
			'reason'
		],
		[
			'a reason that reverses how it reads (U+202E)',
			{ status: 'rejected', reason: 'Fine \u202edesserdda', baseVersion: 1 },
			'reason'
		],
		[
			'a reason with a terminal escape',
			{ status: 'rejected', reason: 'Wrong\u001b[2J address', baseVersion: 1 },
			'reason'
		]
	] as const)('refuses %s as invalid, writing nothing', async (_name, input, path) => {
		const state = await submitted();
		const before = await counts(suite.db);
		const outcome = await decide(suite.db, state.id, input);
		expect(outcome).toMatchObject({ status: 'invalid', issues: { [path]: expect.any(String) } });
		expect(await counts(suite.db)).toEqual(before);
		expect((await storedApplication(suite.db, state.id))?.version).toBe(1);
	});

	it('answers not_found for an id no application has', async () => {
		expect(
			await decide(suite.db, submit().applicationId, { status: 'approved', baseVersion: 1 })
		).toEqual({
			status: 'not_found'
		});
	});
});

describe.each(backends)('office decision API on $name', (backend) => {
	const suite = useSuite(backend);
	let reviewer: Device;
	beforeAll(async () => {
		reviewer = await newReviewer(suite.app, suite.db);
	});

	function decision(id: string, body: unknown, signer: Device = reviewer) {
		return signedCall(suite.app, signer, `/api/office/applications/${id}/decision`, body);
	}

	async function submitted(): Promise<ApplicationState> {
		const device = await newDevice(suite.app);
		const res = await push(suite.app, device, { mutations: [submit()] });
		return res.json.results[0].application;
	}

	it('has no shared-token API any more: /api/review is a JSON 404', async () => {
		const state = await submitted();
		const res = await answer(
			suite.app.request(`/api/review/applications/${state.id}/decision`, {
				method: 'POST',
				headers: { Authorization: 'Bearer review-token-for-tests-0123456789' },
				body: JSON.stringify({ status: 'approved', baseVersion: 1 })
			})
		);
		expect(res.status).toBe(404);
		expect(v.parse(ErrorBody, res.json).error.code).toBe('not_found');
		expect((await storedApplication(suite.db, state.id))?.version).toBe(1);
	});

	it('answers 401 to a signed request with no session, and decides nothing', async () => {
		const state = await submitted();
		const res = await decision(
			state.id,
			{ status: 'approved', baseVersion: 1 },
			{
				...reviewer,
				accessToken: undefined
			}
		);
		expect(res.status).toBe(401);
		expect((await storedApplication(suite.db, state.id))?.version).toBe(1);
	});

	it("answers 404 to a citizen, even the application's owner", async () => {
		const owner = await newDevice(suite.app);
		const pushed = await push(suite.app, owner, { mutations: [submit()] });
		const id: string = pushed.json.results[0].application.id;
		const res = await decision(id, { status: 'approved', baseVersion: 1 }, owner);
		expect(res.status).toBe(404);
		expect((await storedApplication(suite.db, id))?.version).toBe(1);
	});

	it('records a decision, and answers 409 with the state on a stale one', async () => {
		const state = await submitted();

		const approved = await decision(state.id, { status: 'in_review', baseVersion: 1 });
		expect(approved.status).toBe(200);
		expect(approved.json).toMatchObject({
			status: 'applied',
			application: { id: state.id, status: 'in_review', version: 2 }
		});

		const stale = await decision(state.id, { status: 'approved', baseVersion: 1 });
		expect(stale.status).toBe(409);
		expect(stale.json).toEqual({ status: 'conflict', application: approved.json.application });

		await decision(state.id, { status: 'approved', baseVersion: 2 });
		const closedAnswer = await decision(state.id, {
			status: 'rejected',
			reason: 'Too late',
			baseVersion: 3
		});
		expect(closedAnswer.status).toBe(409);
		expect(closedAnswer.json).toMatchObject({ status: 'closed', application: { version: 3 } });
	});

	it.each([
		['a rejection without a reason', { status: 'rejected', baseVersion: 1 }, 400, 'invalid_body'],
		['an unknown status', { status: 'received', baseVersion: 1 }, 400, 'invalid_body'],
		['malformed JSON', '{"status":', 400, 'invalid_json'],
		[
			'a body over 16 KiB',
			{ status: 'rejected', reason: 'x'.repeat(20_000), baseVersion: 1 },
			413,
			'body_too_large'
		]
	])('answers %s with %i', async (_name, body, status, code) => {
		const state = await submitted();
		const res = await decision(state.id, body);
		expect(res.status).toBe(status);
		expect(v.parse(ErrorBody, res.json).error.code).toBe(code);
		expect((await storedApplication(suite.db, state.id))?.version).toBe(1);
	});

	it.each([
		['an id no application has', submit().applicationId],
		['an id that is no UUID', 'nope']
	])('answers 404 for %s', async (_name, id) => {
		const res = await decision(id, { status: 'approved', baseVersion: 1 });
		expect(res.status).toBe(404);
		expect(v.parse(ErrorBody, res.json).error.code).toBe('not_found');
	});
});
