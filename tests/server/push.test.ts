import { eq, sql } from 'drizzle-orm';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushResponse } from '../../shared/protocol';
import { REFERENCE_PATTERN } from '../../shared/reference';
import { applications } from '../../sync-server/db/schema';
import { backends, type TestDatabase } from './backends';
import {
	counts,
	invalidIin,
	newDevice,
	normalizedAnswers,
	pullAll,
	push,
	rawAnswers,
	storedApplication,
	submit,
	testApp,
	type App
} from './helpers';

describe.each(backends)('push on $name', (backend) => {
	let t: TestDatabase;
	let app: App;
	beforeAll(async () => {
		t = await backend.open();
		app = testApp(t.db);
	});
	afterAll(() => t?.close());

	it('stores a submission once, as received, with a reference and normalized answers', async () => {
		const device = newDevice();
		const m = submit();
		const before = await counts(t.db);

		const res = await push(app, device, { mutations: [m] });

		expect(res.status).toBe(200);
		const body = v.parse(PushResponse, res.json);
		expect(body.results).toHaveLength(1);
		const [result] = body.results;
		expect(result).toMatchObject({ mutationId: m.id, status: 'applied' });
		if (result?.status !== 'applied') throw new Error('not applied');
		expect(result.application).toMatchObject({
			id: m.applicationId,
			serviceId: 'individual-entrepreneur',
			serviceVersion: 1,
			status: 'received',
			version: 1
		});
		expect(result.application.reference).toMatch(REFERENCE_PATTERN);
		expect(result.application).not.toHaveProperty('reason');

		expect(await counts(t.db)).toEqual({
			applications: before.applications + 1,
			mutations: before.mutations + 1,
			changes: before.changes + 1
		});
		const row = await storedApplication(t.db, m.applicationId);
		expect(row).toMatchObject({
			deviceId: device,
			status: 'received',
			version: 1,
			reference: result.application.reference,
			reason: null
		});
		// Trimmed, IIN without spaces, phone in +7 form, and the unknown key gone.
		expect(row?.answers).toEqual(normalizedAnswers());
		expect(row?.updatedAt.toISOString()).toBe(result.application.updatedAt);
	});

	it('answers a replayed push byte for byte the same and writes nothing', async () => {
		const device = newDevice();
		const body = {
			mutations: [
				submit({ seq: 1 }),
				submit({ seq: 2, answers: rawAnswers({ iin: invalidIin() }) }),
				submit({ seq: 3, serviceId: 'no-such-service' })
			]
		};
		const first = await push(app, device, body);
		expect(first.status).toBe(200);
		expect(first.json.results.map((r: { status: string }) => r.status)).toEqual([
			'applied',
			'rejected',
			'rejected'
		]);
		const after = await counts(t.db);

		for (let i = 0; i < 3; i++) {
			const again = await push(app, device, body);
			expect(again.status).toBe(200);
			expect(again.text).toBe(first.text);
			expect(await counts(t.db)).toEqual(after);
		}
	});

	it('answers a replay with the state it first answered, even after the application changed', async () => {
		const device = newDevice();
		const m = submit();
		const body = { mutations: [m] };
		const first = await push(app, device, body);
		await t.db
			.update(applications)
			.set({ status: 'in_review', version: sql`${applications.version} + 1` })
			.where(eq(applications.id, m.applicationId));
		const again = await push(app, device, body);
		expect(again.text).toBe(first.text);
	});

	it('applies a push sent twice at once only once, and answers both the same', async () => {
		const device = newDevice();
		const body = { mutations: [submit({ seq: 1 }), submit({ seq: 2 }), submit({ seq: 3 })] };
		const before = await counts(t.db);

		// On PostgreSQL these run on two connections: the second claim of each mutation id
		// waits for the first transaction and then reads its stored answer.
		const [a, b] = await Promise.all([push(app, device, body), push(app, device, body)]);

		expect(a.status).toBe(200);
		expect(b.text).toBe(a.text);
		expect(await counts(t.db)).toEqual({
			applications: before.applications + 3,
			mutations: before.mutations + 3,
			changes: before.changes + 3
		});
	});

	it('gives an application id to one of two devices claiming it at once', async () => {
		const applicationId = submit().applicationId;
		const answers = await Promise.all(
			[newDevice(), newDevice()].map((device) =>
				push(app, device, { mutations: [submit({ applicationId })] })
			)
		);
		const statuses = answers.map((r) => r.json.results[0].status).sort();
		expect(statuses).toEqual(['applied', 'rejected']);
		const loser = answers.find((r) => r.json.results[0].status === 'rejected');
		expect(loser?.json.results[0].code).toBe('application_id_taken');
	});

	it('answers duplicate, and writes no application or change, for a second mutation of the same application', async () => {
		const device = newDevice();
		const first = submit({ seq: 1 });
		const applied = await push(app, device, { mutations: [first] });
		const before = await counts(t.db);

		const second = submit({ seq: 2, applicationId: first.applicationId });
		const res = await push(app, device, { mutations: [second] });

		expect(res.status).toBe(200);
		expect(res.json.results).toEqual([
			{
				mutationId: second.id,
				status: 'duplicate',
				application: applied.json.results[0].application
			}
		]);
		// Only the idempotency record of the new mutation id, so its replay answers the same.
		expect(await counts(t.db)).toEqual({ ...before, mutations: before.mutations + 1 });
	});

	it("rejects another device's use of an application id without revealing anything about it", async () => {
		const owner = newDevice();
		const other = newDevice();
		const original = submit();
		const applied = await push(app, owner, { mutations: [original] });
		const reference: string = applied.json.results[0].application.reference;
		const before = await counts(t.db);

		const intruder = submit({ applicationId: original.applicationId, answers: rawAnswers() });
		const res = await push(app, other, { mutations: [intruder] });

		expect(res.status).toBe(200);
		expect(res.json.results).toEqual([
			{ mutationId: intruder.id, status: 'rejected', code: 'application_id_taken' }
		]);
		expect(res.text).not.toContain(reference);
		expect(res.text).not.toContain(owner);
		expect(await counts(t.db)).toEqual({ ...before, mutations: before.mutations + 1 });
		expect(await storedApplication(t.db, original.applicationId)).toMatchObject({
			deviceId: owner,
			reference
		});
		// Nor does the other device's feed carry it.
		expect((await pullAll(app, t.db, other)).changes).toEqual([]);
	});

	it('applies a batch in order around a rejected mutation, which carries its field errors', async () => {
		const device = newDevice();
		const batch = [
			submit({ seq: 1 }),
			submit({ seq: 2, answers: rawAnswers({ iin: invalidIin() }) }),
			submit({ seq: 3 })
		];
		const before = await counts(t.db);

		const res = await push(app, device, { mutations: batch });

		expect(res.status).toBe(200);
		const results = res.json.results;
		expect(results.map((r: { mutationId: string }) => r.mutationId)).toEqual(
			batch.map((m) => m.id)
		);
		expect(results[0]).toMatchObject({ status: 'applied' });
		expect(results[1]).toEqual({
			mutationId: batch[1]?.id,
			status: 'rejected',
			code: 'invalid_answers',
			fieldErrors: { iin: 'invalid_iin' }
		});
		expect(results[2]).toMatchObject({ status: 'applied' });
		// Applied in device order: the first got the earlier reference number.
		const number = (r: { application: { reference: string } }) =>
			Number(r.application.reference.split('-')[2]);
		expect(number(results[0])).toBeLessThan(number(results[2]));
		expect(await counts(t.db)).toEqual({
			applications: before.applications + 2,
			mutations: before.mutations + 3,
			changes: before.changes + 2
		});
		expect(await storedApplication(t.db, batch[1]!.applicationId)).toBeUndefined();
	});

	it('applies mutations in seq order even when a batch lists them otherwise', async () => {
		const device = newDevice();
		const later = submit({ seq: 8 });
		const earlier = submit({ seq: 7 });
		const res = await push(app, device, { mutations: [later, earlier] });
		const [a, b] = res.json.results;
		expect([a.mutationId, b.mutationId]).toEqual([later.id, earlier.id]);
		const number = (r: { application: { reference: string } }) =>
			Number(r.application.reference.split('-')[2]);
		expect(number(b)).toBeLessThan(number(a));
	});

	it('reports every missing answer', async () => {
		const res = await push(app, newDevice(), { mutations: [submit({ answers: {} })] });
		expect(res.json.results[0]).toMatchObject({
			status: 'rejected',
			code: 'invalid_answers',
			fieldErrors: {
				iin: 'required',
				fullName: 'required',
				businessName: 'required',
				activity: 'required',
				address: 'required',
				phone: 'required'
			}
		});
	});

	it('rejects answers PostgreSQL cannot store instead of failing on every retry', async () => {
		const device = newDevice();
		const nul = submit({ seq: 1, answers: rawAnswers({ fullName: 'Aigerim\u0000' }) });
		const surrogate = submit({ seq: 2, answers: rawAnswers({ address: 'Talgar \ud800' }) });
		const before = await counts(t.db);

		const res = await push(app, device, { mutations: [nul, surrogate] });

		expect(res.status).toBe(200);
		expect(res.json.results).toEqual([
			{
				mutationId: nul.id,
				status: 'rejected',
				code: 'invalid_answers',
				fieldErrors: { fullName: 'invalid_type' }
			},
			{
				mutationId: surrogate.id,
				status: 'rejected',
				code: 'invalid_answers',
				fieldErrors: { address: 'invalid_type' }
			}
		]);
		expect(await counts(t.db)).toEqual({ ...before, mutations: before.mutations + 2 });
	});

	it('rejects an unknown service and an unknown service version, recording but not applying them', async () => {
		const device = newDevice();
		const unknownService = submit({ seq: 1, serviceId: 'no-such-service' });
		const unknownVersion = submit({ seq: 2, serviceVersion: 99 });
		const before = await counts(t.db);

		const res = await push(app, device, { mutations: [unknownService, unknownVersion] });

		expect(res.status).toBe(200);
		expect(res.json.results).toEqual([
			{ mutationId: unknownService.id, status: 'rejected', code: 'unknown_service' },
			{ mutationId: unknownVersion.id, status: 'rejected', code: 'unsupported_service_version' }
		]);
		expect(await counts(t.db)).toEqual({ ...before, mutations: before.mutations + 2 });
	});
});
