import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ErrorBody, PushResponse, type MutationResult } from '../../shared/protocol';
import { REFERENCE_PATTERN, formatReference } from '../../shared/reference';
import { applications } from '../../sync-server/db/schema';
import { backends } from './backends';
import {
	type Answer,
	counts,
	invalidIin,
	lastSeq,
	newDevice,
	normalizedAnswers,
	pullAll,
	push,
	rawAnswers,
	storedApplication,
	submit,
	useSuite
} from './helpers';
import { sessionsWaitingOrSettled } from '../support/session-waits';

type Applied = Extract<MutationResult, { status: 'applied' }>;

describe.each(backends)('push on $name', (backend) => {
	const suite = useSuite(backend);

	it('leaves out answers the device sent exactly as the server keeps them, on replay too', async () => {
		const device = await newDevice(suite.app);
		const m = submit({ answers: normalizedAnswers() });

		const first = await push(suite.app, device, { mutations: [m] });
		const [result] = v.parse(PushResponse, first.json).results;
		expect(result).toMatchObject({ mutationId: m.id, status: 'applied' });
		if (result?.status !== 'applied') throw new Error('not applied');
		expect(result.application).not.toHaveProperty('answers');
		expect(await storedApplication(suite.db, m.applicationId)).toMatchObject({
			answers: normalizedAnswers()
		});

		const replay = await push(suite.app, device, { mutations: [m] });
		expect(replay.text).toBe(first.text);
	});

	it('stores a submission once, as received, with a reference and normalized answers', async () => {
		const device = await newDevice(suite.app);
		const m = submit();
		const before = await counts(suite.db);

		const res = await push(suite.app, device, { mutations: [m] });

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
		// Sent as typed, kept normalized: the answer carries the answers as the server holds
		// them, so the device converges on them (promise 4).
		expect(result.application.answers).toEqual(normalizedAnswers());
		expect(result.application).not.toHaveProperty('reason');

		expect(await counts(suite.db)).toEqual({
			applications: before.applications + 1,
			mutations: before.mutations + 1,
			changes: before.changes + 1
		});
		const row = await storedApplication(suite.db, m.applicationId);
		expect(row).toMatchObject({
			deviceId: device.id,
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
		const device = await newDevice(suite.app);
		const body = {
			mutations: [
				submit({ seq: 1 }),
				submit({ seq: 2, answers: rawAnswers({ iin: invalidIin() }) }),
				submit({ seq: 3, serviceId: 'no-such-service' })
			]
		};
		const first = await push(suite.app, device, body);
		expect(first.status).toBe(200);
		expect(first.json.results.map((r: { status: string }) => r.status)).toEqual([
			'applied',
			'rejected',
			'rejected'
		]);
		const after = await counts(suite.db);

		for (let i = 0; i < 3; i++) {
			const again = await push(suite.app, device, body);
			expect(again.status).toBe(200);
			expect(again.text).toBe(first.text);
			expect(await counts(suite.db)).toEqual(after);
		}
	});

	it('answers a replay with the state it first answered, even after the application changed', async () => {
		const device = await newDevice(suite.app);
		const m = submit();
		const body = { mutations: [m] };
		const first = await push(suite.app, device, body);
		await suite.db
			.update(applications)
			.set({ status: 'in_review', version: sql`${applications.version} + 1` })
			.where(eq(applications.id, m.applicationId));
		const again = await push(suite.app, device, body);
		expect(again.text).toBe(first.text);
	});

	/**
	 * The device row is the lock that puts one device's pushes one after another. A test
	 * transaction holds that row while both copies of the push start, and lets go only once
	 * both are seen waiting for it: so they really overlap, and the second must find the
	 * first's answers rather than claim the same ids. PGlite has one connection, so only
	 * PostgreSQL can overlap them.
	 */
	it.skipIf(backend.kind === 'pglite')(
		'applies a push sent twice at once only once, and answers both the same',
		async () => {
			const device = await newDevice(suite.app);
			const body = { mutations: [submit({ seq: 1 }), submit({ seq: 2 }), submit({ seq: 3 })] };
			const before = await counts(suite.db);

			const client = postgres(suite.url!, { max: 2, onnotice: () => {} });
			const holder = await client.reserve();
			let both: Promise<[Answer, Answer]>;
			try {
				await holder`begin`;
				await holder`select id from devices where id = ${device.id} for update`;
				const pushes: [Promise<Answer>, Promise<Answer>] = [
					push(suite.app, device, body),
					push(suite.app, device, body)
				];
				both = Promise.all(pushes);
				await sessionsWaitingOrSettled(client, 2, pushes);
				await holder`commit`;
			} finally {
				holder.release();
				await client.end();
			}
			const [a, b] = await both;

			expect(a.status).toBe(200);
			expect(b.text).toBe(a.text);
			expect(await counts(suite.db)).toEqual({
				applications: before.applications + 3,
				mutations: before.mutations + 3,
				changes: before.changes + 3
			});
		}
	);

	it('gives an application id to one of two devices claiming it at once', async () => {
		const applicationId = submit().applicationId;
		const devices = [await newDevice(suite.app), await newDevice(suite.app)];
		const answers = await Promise.all(
			devices.map((device) => push(suite.app, device, { mutations: [submit({ applicationId })] }))
		);
		const statuses = answers.map((r) => r.json.results[0].status).sort();
		expect(statuses).toEqual(['applied', 'rejected']);
		const loser = answers.find((r) => r.json.results[0].status === 'rejected');
		expect(loser?.json.results[0].code).toBe('application_id_taken');
	});

	it('answers duplicate, and writes no application or change, for a second mutation of the same application', async () => {
		const device = await newDevice(suite.app);
		const first = submit({ seq: 1 });
		const applied = await push(suite.app, device, { mutations: [first] });
		const before = await counts(suite.db);

		const second = submit({ seq: 2, applicationId: first.applicationId });
		const res = await push(suite.app, device, { mutations: [second] });

		expect(res.status).toBe(200);
		expect(res.json.results).toEqual([
			{
				mutationId: second.id,
				status: 'duplicate',
				application: applied.json.results[0].application
			}
		]);
		// Only the idempotency record of the new mutation id, so its replay answers the same.
		expect(await counts(suite.db)).toEqual({ ...before, mutations: before.mutations + 1 });
	});

	it("rejects another device's use of an application id without revealing anything about it", async () => {
		const owner = await newDevice(suite.app);
		const other = await newDevice(suite.app);
		const original = submit();
		const applied = await push(suite.app, owner, { mutations: [original] });
		const reference: string = applied.json.results[0].application.reference;
		const before = await counts(suite.db);

		const intruder = submit({ applicationId: original.applicationId, answers: rawAnswers() });
		const res = await push(suite.app, other, { mutations: [intruder] });

		expect(res.status).toBe(200);
		expect(res.json.results).toEqual([
			{ mutationId: intruder.id, status: 'rejected', code: 'application_id_taken' }
		]);
		expect(res.text).not.toContain(reference);
		expect(res.text).not.toContain(owner.id);
		expect(await counts(suite.db)).toEqual({ ...before, mutations: before.mutations + 1 });
		expect(await storedApplication(suite.db, original.applicationId)).toMatchObject({
			deviceId: owner.id,
			reference
		});
		// Nor does the other device's feed carry it.
		expect((await pullAll(suite.app, suite.db, other)).changes).toEqual([]);
	});

	it('applies a batch in order around a rejected mutation, which carries its field errors', async () => {
		const device = await newDevice(suite.app);
		const batch = [
			submit({ seq: 1 }),
			submit({ seq: 2, answers: rawAnswers({ iin: invalidIin() }) }),
			submit({ seq: 3 })
		];
		const before = await counts(suite.db);

		const res = await push(suite.app, device, { mutations: batch });

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
		expect(await counts(suite.db)).toEqual({
			applications: before.applications + 2,
			mutations: before.mutations + 3,
			changes: before.changes + 2
		});
		expect(await storedApplication(suite.db, batch[1]!.applicationId)).toBeUndefined();
	});

	it('reports every missing answer', async () => {
		const res = await push(suite.app, await newDevice(suite.app), {
			mutations: [submit({ answers: {} })]
		});
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
		const device = await newDevice(suite.app);
		const nul = submit({ seq: 1, answers: rawAnswers({ fullName: 'Aigerim\u0000' }) });
		const surrogate = submit({ seq: 2, answers: rawAnswers({ address: 'Talgar \ud800' }) });
		const before = await counts(suite.db);

		const res = await push(suite.app, device, { mutations: [nul, surrogate] });

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
		expect(await counts(suite.db)).toEqual({ ...before, mutations: before.mutations + 2 });
	});

	it('rejects an unknown service and an unknown service version, recording but not applying them', async () => {
		const device = await newDevice(suite.app);
		const unknownService = submit({ seq: 1, serviceId: 'no-such-service' });
		const unknownVersion = submit({ seq: 2, serviceVersion: 99 });
		const before = await counts(suite.db);

		const res = await push(suite.app, device, { mutations: [unknownService, unknownVersion] });

		expect(res.status).toBe(200);
		expect(res.json.results).toEqual([
			{ mutationId: unknownService.id, status: 'rejected', code: 'unknown_service' },
			{ mutationId: unknownVersion.id, status: 'rejected', code: 'unsupported_service_version' }
		]);
		expect(await counts(suite.db)).toEqual({ ...before, mutations: before.mutations + 2 });
	});

	it('numbers references as formatReference does, past six digits too', async () => {
		const device = await newDevice(suite.app);
		await suite.db.execute(sql`select setval('application_reference_seq', 999998)`);
		const res = await push(suite.app, device, {
			mutations: [submit({ seq: 1 }), submit({ seq: 2 })]
		});
		const year = new Date(res.json.results[0].application.updatedAt).getUTCFullYear();
		expect(res.json.results.map((r: Applied) => r.application.reference)).toEqual([
			formatReference(year, 999_999),
			formatReference(year, 1_000_000)
		]);
	});
});

describe.each(backends)('push batches on $name', (backend) => {
	const suite = useSuite(backend);

	it('answers each of 100 mutations in order: 95 applied, 3 rejected, 2 duplicates', async () => {
		const device = await newDevice(suite.app);
		const earlier = submit({ seq: 1 });
		const earlierAnswer = await push(suite.app, device, { mutations: [earlier] });
		const batch = Array.from({ length: 100 }, (_, i) => submit({ seq: i + 2 }));
		batch[10] = submit({ seq: 12, serviceId: 'no-such-service' });
		batch[50] = submit({ seq: 52, answers: rawAnswers({ iin: invalidIin() }) });
		batch[99] = submit({ seq: 101, answers: rawAnswers({ phone: '12345' }) });
		// One duplicates an application made earlier in this very batch, one an earlier push's.
		batch[30] = submit({ seq: 32, applicationId: batch[5]!.applicationId });
		batch[70] = submit({ seq: 72, applicationId: earlier.applicationId });
		const before = await counts(suite.db);

		const res = await push(suite.app, device, { mutations: batch });

		expect(res.status).toBe(200);
		const { results } = v.parse(PushResponse, res.json);
		expect(results.map((r) => r.mutationId)).toEqual(batch.map((m) => m.id));
		expect(results[10]).toEqual({
			mutationId: batch[10]!.id,
			status: 'rejected',
			code: 'unknown_service'
		});
		expect(results[50]).toEqual({
			mutationId: batch[50]!.id,
			status: 'rejected',
			code: 'invalid_answers',
			fieldErrors: { iin: 'invalid_iin' }
		});
		expect(results[99]).toEqual({
			mutationId: batch[99]!.id,
			status: 'rejected',
			code: 'invalid_answers',
			fieldErrors: { phone: 'invalid_phone' }
		});
		expect(results[30]).toEqual({
			mutationId: batch[30]!.id,
			status: 'duplicate',
			application: (results[5] as Applied).application
		});
		expect(results[70]).toEqual({
			mutationId: batch[70]!.id,
			status: 'duplicate',
			application: earlierAnswer.json.results[0].application
		});
		const applied = results.filter((r): r is Applied => r.status === 'applied');
		expect(applied).toHaveLength(95);
		for (const [i, r] of results.entries()) {
			if (r.status === 'applied') expect(r.application.id).toBe(batch[i]!.applicationId);
		}
		// Numbered in device order.
		const numbers = applied.map((r) => Number(r.application.reference.split('-')[2]));
		expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
		expect(new Set(numbers).size).toBe(95);
		expect(await counts(suite.db)).toEqual({
			applications: before.applications + 95,
			mutations: before.mutations + 100,
			changes: before.changes + 95
		});
		expect(await lastSeq(suite.db, device.id)).toBe(101);

		// And the whole batch replays byte for byte.
		const again = await push(suite.app, device, { mutations: batch });
		expect(again.text).toBe(res.text);
	});

	it('answers a replay with several field errors byte for byte the same', async () => {
		const device = await newDevice(suite.app);
		const body = { mutations: [submit({ answers: { iin: invalidIin(), phone: 'nope' } })] };
		const first = await push(suite.app, device, body);
		expect(Object.keys(first.json.results[0].fieldErrors).length).toBeGreaterThan(3);
		const again = await push(suite.app, device, body);
		expect(again.text).toBe(first.text);
	});

	it('accepts a gzip-compressed push and answers it as the same push uncompressed', async () => {
		const device = await newDevice(suite.app);
		const body = {
			mutations: [submit({ seq: 1 }), submit({ seq: 2, answers: rawAnswers({ iin: '1' }) })]
		};
		const before = await counts(suite.db);

		const gzipped = await push(suite.app, device, body, { gzip: true });

		expect(gzipped.status).toBe(200);
		expect(gzipped.json.results.map((r: { status: string }) => r.status)).toEqual([
			'applied',
			'rejected'
		]);
		expect(await counts(suite.db)).toEqual({
			applications: before.applications + 1,
			mutations: before.mutations + 2,
			changes: before.changes + 1
		});
		const plain = await push(suite.app, device, body);
		expect(plain.text).toBe(gzipped.text);
		const gzippedAgain = await push(suite.app, device, body, { gzip: true });
		expect(gzippedAgain.text).toBe(gzipped.text);
	});

	it('refuses a batch whose seqs do not increase, writes nothing, and takes the next', async () => {
		const device = await newDevice(suite.app);
		const before = await counts(suite.db);

		for (const seqs of [
			[2, 1],
			[1, 1],
			[1, 3, 2]
		]) {
			const res = await push(suite.app, device, { mutations: seqs.map((seq) => submit({ seq })) });
			expect(res.status).toBe(400);
			expect(v.parse(ErrorBody, res.json).error.code).toBe('out_of_order');
		}
		expect(await counts(suite.db)).toEqual(before);
		expect(await lastSeq(suite.db, device.id)).toBe(0);

		const next = await push(suite.app, device, {
			mutations: [submit({ seq: 1 }), submit({ seq: 2 })]
		});
		expect(next.status).toBe(200);
		expect(next.json.results.map((r: { status: string }) => r.status)).toEqual([
			'applied',
			'applied'
		]);
	});

	/*
	 * Idempotency is by mutation id: an id the device used before is answered as it was
	 * then, whatever seq or content it comes with now (a client bug), and applies nothing,
	 * wherever its record is kept (on the application it made, or in `mutations`).
	 */
	it.each([
		['made an application', () => submit({ seq: 1 })],
		['was refused', () => submit({ seq: 1, serviceId: 'no-such-service' })]
	])(
		'answers a mutation id that %s, sent again under a new seq, as before',
		async (_name, make) => {
			const device = await newDevice(suite.app);
			const first = make();
			const original = await push(suite.app, device, { mutations: [first] });
			const before = await counts(suite.db);

			const reused = { ...submit({ seq: 3 }), id: first.id };
			const res = await push(suite.app, device, { mutations: [submit({ seq: 2 }), reused] });
			expect(res.status).toBe(200);
			expect(res.json.results[0]).toMatchObject({ status: 'applied' });
			expect(res.json.results[1]).toEqual(original.json.results[0]);
			expect(await counts(suite.db)).toEqual({
				applications: before.applications + 1,
				mutations: before.mutations + 1,
				changes: before.changes + 1
			});
		}
	);

	it('refuses a new mutation at or below the last seq recorded, with all its batch', async () => {
		const device = await newDevice(suite.app);
		await push(suite.app, device, { mutations: [submit({ seq: 5 })] });
		const before = await counts(suite.db);

		for (const seq of [5, 3]) {
			// A good mutation above the last seq rides along; it must not be applied either.
			const res = await push(suite.app, device, {
				mutations: [submit({ seq }), submit({ seq: 9 })]
			});
			expect(res.status).toBe(400);
			expect(v.parse(ErrorBody, res.json).error.code).toBe('out_of_order');
		}
		expect(await counts(suite.db)).toEqual(before);
		expect(await lastSeq(suite.db, device.id)).toBe(5);

		// The queue keeps flowing: what comes after is applied.
		const next = await push(suite.app, device, { mutations: [submit({ seq: 6 })] });
		expect(next.status).toBe(200);
		expect(next.json.results[0].status).toBe('applied');
		expect(await lastSeq(suite.db, device.id)).toBe(6);
	});

	it('answers an old batch replayed after later ones verbatim, with new mutations after it', async () => {
		const device = await newDevice(suite.app);
		const old = { mutations: [submit({ seq: 1 }), submit({ seq: 2 })] };
		const first = await push(suite.app, device, old);
		await push(suite.app, device, { mutations: [submit({ seq: 3 }), submit({ seq: 4 })] });
		const before = await counts(suite.db);

		const replay = await push(suite.app, device, old);
		expect(replay.status).toBe(200);
		expect(replay.text).toBe(first.text);
		expect(await counts(suite.db)).toEqual(before);
		expect(await lastSeq(suite.db, device.id)).toBe(4);

		// Known ids with old seqs, then a new one above everything: the new one is applied.
		const fresh = submit({ seq: 5 });
		const mixed = await push(suite.app, device, { mutations: [...old.mutations, fresh] });
		expect(mixed.status).toBe(200);
		expect(mixed.json.results.slice(0, 2)).toEqual(first.json.results);
		expect(mixed.json.results[2]).toMatchObject({ mutationId: fresh.id, status: 'applied' });
	});

	it('refuses a batch that carries one mutation id twice', async () => {
		const device = await newDevice(suite.app);
		const m = submit({ seq: 1 });
		const before = await counts(suite.db);
		const res = await push(suite.app, device, { mutations: [m, { ...m, seq: 2 }] });
		expect(res.status).toBe(400);
		expect(v.parse(ErrorBody, res.json).error).toMatchObject({
			code: 'invalid_body',
			issues: { 'mutations.1.id': expect.any(String) }
		});
		expect(await counts(suite.db)).toEqual(before);
	});

	/*
	 * Atomic per batch: a database failure in the last statement of the push (here the move
	 * of last_seq, made to fail by a trigger) must take the applications with it, answer
	 * 5xx, and leave the batch to apply whole when it is retried.
	 */
	it('keeps nothing of a batch when the database fails part-way, and applies it on retry', async () => {
		const device = await newDevice(suite.app);
		const batch = [submit({ seq: 1 }), submit({ seq: 2 }), submit({ seq: 3 })];
		await suite.db.execute(
			sql.raw(`create function fail_last_seq() returns trigger language plpgsql as $$
				begin
					if new.last_seq <> old.last_seq then raise exception 'disk full'; end if;
					return new;
				end $$`)
		);
		await suite.db.execute(
			sql.raw(`create trigger fail_last_seq before update on devices
				for each row execute function fail_last_seq()`)
		);
		const before = await counts(suite.db);
		try {
			const res = await push(suite.app, device, { mutations: batch });
			expect(res.status).toBe(500);
			expect(await counts(suite.db)).toEqual(before);
			expect(await lastSeq(suite.db, device.id)).toBe(0);
		} finally {
			await suite.db.execute(sql`drop trigger fail_last_seq on devices`);
			await suite.db.execute(sql`drop function fail_last_seq`);
		}

		const retry = await push(suite.app, device, { mutations: batch });
		expect(retry.status).toBe(200);
		expect(retry.json.results.map((r: { status: string }) => r.status)).toEqual([
			'applied',
			'applied',
			'applied'
		]);
		expect(await counts(suite.db)).toEqual({
			applications: before.applications + 3,
			mutations: before.mutations + 3,
			changes: before.changes + 3
		});
	});
});
