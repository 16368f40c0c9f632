import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { PushResponse, type ApplicationState } from '../../shared/protocol';
import { decide } from '../support/decide';
import { backends } from './backends';
import {
	amend,
	counts,
	invalidIin,
	newDevice,
	normalizedAnswers,
	pullAll,
	push,
	rawAnswers,
	review,
	storedApplication,
	submit,
	useSuite,
	type Device
} from './helpers';

describe.each(backends)('amend on $name', (backend) => {
	const suite = useSuite(backend);

	/** A device with one submitted application; its state as the push answered it. */
	async function submitted(): Promise<{ device: Device; state: ApplicationState }> {
		const device = await newDevice(suite.app);
		const res = await push(suite.app, device, { mutations: [submit({ seq: 1 })] });
		expect(res.json.results[0].status).toBe('applied');
		return { device, state: res.json.results[0].application };
	}

	it('applies an amend on the current version: new answers, version + 1, one change', async () => {
		const { device, state } = await submitted();
		const { cursor } = await pullAll(suite.app, suite.db, device);
		const m = amend(state.id, 1, {
			seq: 2,
			answers: rawAnswers({ businessName: '  Seitkali Bakery ', phone: '+7 701 000 00 00' })
		});
		const before = await counts(suite.db);

		const res = await push(suite.app, device, { mutations: [m] });

		expect(res.status).toBe(200);
		const [result] = v.parse(PushResponse, res.json).results;
		const expected = {
			...normalizedAnswers(),
			businessName: 'Seitkali Bakery',
			phone: '+77010000000'
		};
		expect(result).toMatchObject({
			mutationId: m.id,
			status: 'applied',
			application: {
				id: state.id,
				reference: state.reference,
				status: 'received',
				version: 2,
				answers: expected
			}
		});
		expect(await counts(suite.db)).toEqual({
			applications: before.applications,
			mutations: before.mutations + 1,
			changes: before.changes + 1
		});
		expect((await storedApplication(suite.db, state.id))?.answers).toEqual(expected);
		// The device converges on it through the feed too.
		const { changes } = await pullAll(suite.app, suite.db, device, cursor);
		expect(changes).toEqual([result?.status === 'applied' && result.application]);
	});

	it('amends an application submitted earlier in the same batch', async () => {
		const device = await newDevice(suite.app);
		const s = submit({ seq: 1 });
		const batch = [s, amend(s.applicationId, 1, { seq: 2 }), submit({ seq: 3 })];
		const res = await push(suite.app, device, { mutations: batch });
		expect(res.json.results.map((r: { status: string }) => r.status)).toEqual([
			'applied',
			'applied',
			'applied'
		]);
		expect(res.json.results[1].application).toMatchObject({
			version: 2,
			answers: { businessName: 'IE Seitkali and Sons' }
		});
	});

	it('answers conflict with the current state once a reviewer moved on, and writes nothing', async () => {
		const { device, state } = await submitted();
		const reviewed = await review(suite.db, state.id, 'in_review');
		const m = amend(state.id, 1, { seq: 2 });
		const before = await counts(suite.db);

		const res = await push(suite.app, device, { mutations: [m] });

		expect(res.json.results).toEqual([
			{ mutationId: m.id, status: 'conflict', application: reviewed }
		]);
		expect(reviewed).toMatchObject({ status: 'in_review', version: 2 });
		// Only the idempotency record; the answers are what they were.
		expect(await counts(suite.db)).toEqual({ ...before, mutations: before.mutations + 1 });
		expect((await storedApplication(suite.db, state.id))?.answers).toEqual(normalizedAnswers());
		// On the version it now knows, the person's change goes through: review is not closed.
		const retry = await push(suite.app, device, { mutations: [amend(state.id, 2, { seq: 3 })] });
		expect(retry.json.results[0]).toMatchObject({
			status: 'applied',
			application: { status: 'in_review', version: 3 }
		});
	});

	it.each([['approved'], ['rejected']] as const)(
		'refuses to amend an application once %s',
		async (status) => {
			const { device, state } = await submitted();
			const reason = status === 'rejected' ? 'The address is outside the district.' : undefined;
			const decided = await review(suite.db, state.id, status, reason);
			const m = amend(state.id, decided.version, { seq: 2 });
			const before = await counts(suite.db);

			const res = await push(suite.app, device, { mutations: [m] });

			expect(res.json.results).toEqual([
				{ mutationId: m.id, status: 'rejected', code: 'application_closed' }
			]);
			expect(await counts(suite.db)).toEqual({ ...before, mutations: before.mutations + 1 });
			expect(await storedApplication(suite.db, state.id)).toMatchObject({
				version: decided.version,
				answers: normalizedAnswers()
			});
		}
	);

	it("answers not_found for another device's application, exactly as for none at all", async () => {
		const { state } = await submitted();
		const intruder = await newDevice(suite.app);
		const theirs = amend(state.id, 1, { seq: 1 });
		const nobodys = amend(submit().applicationId, 1, { seq: 2 });
		const before = await counts(suite.db);

		const res = await push(suite.app, intruder, { mutations: [theirs, nobodys] });

		expect(res.json.results).toEqual([
			{ mutationId: theirs.id, status: 'rejected', code: 'not_found' },
			{ mutationId: nobodys.id, status: 'rejected', code: 'not_found' }
		]);
		expect(res.text).not.toContain(state.reference);
		expect(await counts(suite.db)).toEqual({ ...before, mutations: before.mutations + 2 });
		expect(await storedApplication(suite.db, state.id)).toMatchObject({
			version: 1,
			answers: normalizedAnswers()
		});
	});

	it("refuses invalid answers with field errors, checked against the application's service", async () => {
		const { device, state } = await submitted();
		const m = amend(state.id, 1, { seq: 2, answers: rawAnswers({ iin: invalidIin() }) });
		const before = await counts(suite.db);

		const res = await push(suite.app, device, { mutations: [m] });

		expect(res.json.results).toEqual([
			{
				mutationId: m.id,
				status: 'rejected',
				code: 'invalid_answers',
				fieldErrors: { iin: 'invalid_iin' }
			}
		]);
		expect(await counts(suite.db)).toEqual({ ...before, mutations: before.mutations + 1 });
		expect((await storedApplication(suite.db, state.id))?.version).toBe(1);
	});

	it('answers a replayed amend as it was first answered, after later changes', async () => {
		const { device, state } = await submitted();
		const body = { mutations: [amend(state.id, 1, { seq: 2 })] };
		const first = await push(suite.app, device, body);
		await review(suite.db, state.id, 'approved');
		const before = await counts(suite.db);
		const again = await push(suite.app, device, body);
		expect(again.text).toBe(first.text);
		expect(await counts(suite.db)).toEqual(before);
	});

	it('lets exactly one of a decision and an amend on the same version win', async () => {
		const { device, state } = await submitted();
		const [decision, pushed] = await Promise.all([
			decide(suite.db, state.id, { status: 'in_review', baseVersion: 1 }),
			push(suite.app, device, { mutations: [amend(state.id, 1, { seq: 2 })] })
		]);
		const amended = pushed.json.results[0].status;
		expect([decision.status, amended].sort()).toEqual(['applied', 'conflict']);
		const row = await storedApplication(suite.db, state.id);
		expect(row?.version).toBe(2);
		expect(row?.status).toBe(decision.status === 'applied' ? 'in_review' : 'received');
	});
});
