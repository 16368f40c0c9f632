/**
 * The authorization matrix: every cell of authorization/table.ts (endpoint × actor ×
 * whose record) as a test on every backend, with what was written checked on each. The
 * app is made with every optional part mounted, and every route it registers must have a
 * row: an endpoint added without deciding who may call it fails here.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { directoryStore } from '../../sync-server/files/store';
import { DEFAULT_LIMITS, DEFAULT_RATE_RULES, type Limits } from '../../sync-server/http/limits';
import { ACTORS, asActor, type Actor } from './authorization/actors';
import {
	AUDITED_REFUSALS,
	DOOR_CODES,
	changed,
	ownerDigest,
	snapshot,
	withoutBookkeeping
} from './authorization/snapshot';
import { table, type Expect, type Row } from './authorization/table';
import { newWorld, type Person, type World } from './authorization/world';
import { backends } from './backends';
import { answer, useSuite, type App } from './helpers';

/**
 * The endpoints an app serves, as "METHOD /path" from `app.routes`: middleware and the
 * JSON 404 catch-alls are registered with a wildcard (or at /api itself) and are left out.
 */
export function endpointsOf(app: App): string[] {
	const endpoints = app.routes
		.filter((route) => !route.path.includes('*') && route.path !== '/api')
		.map((route) => `${route.method} ${route.path}`);
	return [...new Set(endpoints)].sort();
}

interface CellCase {
	row: Row;
	actor: Actor;
	person?: Person;
	expected: Expect;
	title: string;
}

const cells: CellCase[] = table.flatMap((row) =>
	ACTORS.flatMap((actor) => {
		const column = row.expect[actor];
		const people: (Person | undefined)[] = row.namesRecord ? ['alice', 'bob'] : [undefined];
		return people.map((person) => {
			const expected = 'outcome' in column ? column : column[person!];
			const on = person ? ` on ${person}’s` : '';
			const code = expected.outcome === 'refused' ? ` ${expected.code}` : '';
			return {
				row,
				actor,
				person,
				expected,
				title: `${row.name}: ${actor}${on} → ${expected.outcome} ${expected.status}${code}`
			};
		});
	})
);

/**
 * Every rate rule applied (so its counters are written, as in production) but out of
 * reach: each cell makes a world of a dozen devices and sign-ins from one address,
 * and the matrix asks who may call, not how often (limits.test.ts does that).
 */
const roomyLimits: Limits = {
	...DEFAULT_LIMITS,
	rates: Object.fromEntries(
		Object.entries(DEFAULT_RATE_RULES).map(([key, rule]) => [key, { ...rule, limit: 1_000_000 }])
	)
};

describe.each(backends)('authorization matrix on $name', (backend) => {
	const dir = join(tmpdir(), `dala-matrix-${randomUUID()}`);
	const suite = useSuite(backend, {
		uploads: directoryStore(dir),
		limits: roomyLimits
	});
	afterAll(() => rm(dir, { recursive: true, force: true }));

	it('has a row for every endpoint the app registers, and no row for one it does not', () => {
		const rows = [...new Set(table.map((row) => row.route))].sort();
		expect(rows).toEqual(endpointsOf(suite.app));
	});

	// A world is made again only after a cell changed something its row cannot renew: a
	// refused or read-only cell is checked to leave every table and the store as they
	// were, and a row's `renew` puts back what a served one used up (a code, a token), so
	// the next cell finds the world as world.ts describes it.
	let fresh: World | undefined;
	it.each(cells)('$title', async ({ row, actor, person, expected }) => {
		const world = fresh ?? (await newWorld(suite.app, suite.db));
		fresh = undefined;
		const record = person ? world[person] : undefined;
		const spec = await row.request(world, record);
		const request = await asActor(actor, world, spec);

		const before = await snapshot(suite.db, dir);
		const ownerBefore = record && (await ownerDigest(suite.db, record.ownerId));
		const res = await answer(suite.app.request(request.path, request.init));
		const all = changed(before, await snapshot(suite.db, dir));
		// Nonces and counters change nothing a later cell sees.
		const written = withoutBookkeeping(all);
		if (written.length === 0) fresh = world;

		expect(res.status, res.text).toBe(expected.status);
		if (expected.outcome === 'refused') {
			// A HEAD answer has no body to carry the code.
			if (spec.method !== 'HEAD') expect(res.json?.error?.code, res.text).toBe(expected.code);
			// Refused at the door: not even a nonce. Later: only bookkeeping, and the audit
			// log when the refusal is one it records (a failed sign-in).
			if (DOOR_CODES.has(expected.code)) expect(all).toEqual([]);
			else if (AUDITED_REFUSALS.has(expected.code)) expect(written).toEqual(['audit_log']);
			else expect(written).toEqual([]);
			return;
		}
		expect(written.filter((name) => !row.writes?.includes(name))).toEqual([]);
		// The audit log changes exactly when the row says the request is one it records.
		expect(written.includes('audit_log')).toBe(
			expected.outcome === 'served' && (row.writes?.includes('audit_log') ?? false)
		);
		if (expected.outcome === 'withheld') {
			expect(await ownerDigest(suite.db, record!.ownerId)).toBe(ownerBefore);
		}
		const cell = { world, actor, record, expected, res };
		await row.effect?.(cell);
		if (written.length > 0 && row.renew && (await row.renew(cell)) !== false) fresh = world;
	});
});
