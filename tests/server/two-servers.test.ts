/*
 * Promise 8 of the design, "any number of servers against one PostgreSQL": two apps, each
 * with its own connection pool (as two server processes would have), share nothing but the
 * database. Only PostgreSQL can show this: PGlite is one connection in one process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../sync-server/db/open';
import { backends, type TestDatabase } from './backends';
import {
	counts,
	lastSeq,
	newDevice,
	pullAll,
	push,
	storedApplication,
	submit,
	testApp,
	type App
} from './helpers';

const postgresBackend = backends.find((b) => b.kind === 'postgres');

describe.skipIf(!postgresBackend)('two servers on one PostgreSQL (TEST_DATABASE_URL)', () => {
	let t: TestDatabase;
	let second: OpenDatabase;
	let a: App;
	let b: App;
	beforeAll(async () => {
		if (!postgresBackend) throw new Error('skipped without PostgreSQL');
		t = await postgresBackend.open();
		second = await openDatabase({ url: t.url, poolSize: 4 });
		a = testApp(t.db);
		b = testApp(second.db);
	});
	afterAll(async () => {
		await second?.close();
		await t?.close();
	});

	it('applies a batch pushed through both at once exactly once, and answers both alike', async () => {
		const device = await newDevice(a);
		const batch = Array.from({ length: 50 }, (_, i) => submit({ seq: i + 1 }));
		const before = await counts(t.db);

		// Three copies through each server: retries after lost answers, as a flaky link makes.
		const answers = await Promise.all(
			[a, b, a, b, a, b].map((app) => push(app, device, { mutations: batch }))
		);

		for (const res of answers) {
			expect(res.status).toBe(200);
			expect(res.text).toBe(answers[0]?.text);
		}
		expect(answers[0]?.json.results.every((r: { status: string }) => r.status === 'applied')).toBe(
			true
		);
		expect(await counts(t.db)).toEqual({
			applications: before.applications + 50,
			mutations: before.mutations + 50,
			changes: before.changes + 50
		});
		for (const m of batch) {
			expect(await storedApplication(t.db, m.applicationId)).toMatchObject({
				deviceId: device.id
			});
		}
		expect(await lastSeq(t.db, device.id)).toBe(50);
		// And the feed, read through either server, carries each application once.
		const viaA = await pullAll(a, t.db, device);
		const viaB = await pullAll(b, t.db, device);
		expect(viaA.changes).toHaveLength(50);
		expect(viaB.changes).toEqual(viaA.changes);
	});

	it('gives an application id claimed through both servers at once to one device', async () => {
		const [one, two] = [await newDevice(a), await newDevice(b)];
		const applicationId = submit().applicationId;
		const before = await counts(t.db);

		const [first, other] = await Promise.all([
			push(a, one, { mutations: [submit({ applicationId })] }),
			push(b, two, { mutations: [submit({ applicationId })] })
		]);

		const results = [first.json.results[0], other.json.results[0]];
		expect(results.map((r) => r.status).sort()).toEqual(['applied', 'rejected']);
		expect(results.find((r) => r.status === 'rejected')?.code).toBe('application_id_taken');
		expect(await counts(t.db)).toEqual({
			applications: before.applications + 1,
			mutations: before.mutations + 2,
			changes: before.changes + 1
		});
	});

	it('keeps one device in order across servers: a later batch first makes the earlier one late', async () => {
		const device = await newDevice(a);
		const early = [submit({ seq: 1 }), submit({ seq: 2 })];
		const late = [submit({ seq: 3 }), submit({ seq: 4 })];

		// Whatever order they land in, the device's history never goes backwards.
		const [x, y] = await Promise.all([
			push(a, device, { mutations: early }),
			push(b, device, { mutations: late })
		]);

		expect(y.status).toBe(200);
		if (x.status === 200) {
			// The early batch came first: both applied, references in seq order.
			const numbers = [...x.json.results, ...y.json.results].map((r) =>
				Number(r.application.reference.split('-')[2])
			);
			expect(numbers).toEqual([...numbers].sort((p, q) => p - q));
		} else {
			// The later batch came first: the earlier one is refused whole, nothing of it kept.
			expect(x.json.error.code).toBe('out_of_order');
			for (const m of early) expect(await storedApplication(t.db, m.applicationId)).toBeUndefined();
		}
		expect(await lastSeq(t.db, device.id)).toBe(4);
	});
});
