import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApplicationState, ErrorBody } from '../../shared/protocol';
import { decide } from '../../sync-server/office/review';
import { backends } from './backends';
import {
	answer,
	counts,
	newDevice,
	pullAll,
	push,
	storedApplication,
	submit,
	testApp,
	useSuite,
	type App
} from './helpers';

const TOKEN = 'review-token-for-tests-0123456789';

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

describe.each(backends)('review API on $name', (backend) => {
	const suite = useSuite(backend, { reviewToken: TOKEN });
	let closed: App;
	beforeAll(() => {
		closed = testApp(suite.db);
	});

	function decision(target: App, id: string, body: unknown, token: string | null = TOKEN) {
		return answer(
			target.request(`/api/review/applications/${id}/decision`, {
				method: 'POST',
				headers: {
					'Content-Type': 'application/json',
					...(token !== null ? { Authorization: `Bearer ${token}` } : {})
				},
				body: typeof body === 'string' ? body : JSON.stringify(body)
			})
		);
	}

	async function submitted(): Promise<ApplicationState> {
		const device = await newDevice(suite.app);
		const res = await push(suite.app, device, { mutations: [submit()] });
		return res.json.results[0].application;
	}

	it('does not exist without a review token: 404, even with a token sent', async () => {
		const state = await submitted();
		const res = await decision(closed, state.id, { status: 'approved', baseVersion: 1 });
		expect(res.status).toBe(404);
		expect(v.parse(ErrorBody, res.json).error.code).toBe('not_found');
		expect((await storedApplication(suite.db, state.id))?.version).toBe(1);
	});

	it.each([
		['no token', null],
		['a wrong token', 'wrong-token'],
		['the token with one character changed', TOKEN.slice(0, -1) + 'X'],
		['the token and more', TOKEN + 'X']
	])('answers 401 to %s and decides nothing', async (_name, token) => {
		const state = await submitted();
		const res = await decision(suite.app, state.id, { status: 'approved', baseVersion: 1 }, token);
		expect(res.status).toBe(401);
		expect(res.json).toMatchObject({ error: { code: 'unauthorized' } });
		expect(res.headers.get('WWW-Authenticate')).toBe('Bearer');
		expect((await storedApplication(suite.db, state.id))?.version).toBe(1);
	});

	it('refuses a Basic credential carrying the token', async () => {
		const state = await submitted();
		const res = await answer(
			suite.app.request(`/api/review/applications/${state.id}/decision`, {
				method: 'POST',
				headers: { Authorization: `Basic ${TOKEN}` },
				body: JSON.stringify({ status: 'approved', baseVersion: 1 })
			})
		);
		expect(res.status).toBe(401);
	});

	it('records a decision with the right token, and answers 409 with the state on a stale one', async () => {
		const state = await submitted();

		const approved = await decision(suite.app, state.id, { status: 'in_review', baseVersion: 1 });
		expect(approved.status).toBe(200);
		expect(approved.json).toMatchObject({
			status: 'applied',
			application: { id: state.id, status: 'in_review', version: 2 }
		});

		const stale = await decision(suite.app, state.id, { status: 'approved', baseVersion: 1 });
		expect(stale.status).toBe(409);
		expect(stale.json).toEqual({ status: 'conflict', application: approved.json.application });

		await decision(suite.app, state.id, { status: 'approved', baseVersion: 2 });
		const closedAnswer = await decision(suite.app, state.id, {
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
		const res = await decision(suite.app, state.id, body);
		expect(res.status).toBe(status);
		expect(v.parse(ErrorBody, res.json).error.code).toBe(code);
		expect((await storedApplication(suite.db, state.id))?.version).toBe(1);
	});

	it.each([
		['an id no application has', submit().applicationId],
		['an id that is no UUID', 'nope']
	])('answers 404 for %s', async (_name, id) => {
		const res = await decision(suite.app, id, { status: 'approved', baseVersion: 1 });
		expect(res.status).toBe(404);
		expect(v.parse(ErrorBody, res.json).error.code).toBe('not_found');
	});
});
