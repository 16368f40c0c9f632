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
import { ACTORS, REVIEW_TOKEN, asActor, type Actor } from './authorization/actors';
import { changed, ownerDigest, snapshot } from './authorization/snapshot';
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

describe.each(backends)('authorization matrix on $name', (backend) => {
	const dir = join(tmpdir(), `dala-matrix-${randomUUID()}`);
	const suite = useSuite(backend, { uploads: directoryStore(dir), reviewToken: REVIEW_TOKEN });
	afterAll(() => rm(dir, { recursive: true, force: true }));

	it('has a row for every endpoint the app registers, and no row for one it does not', () => {
		const rows = [...new Set(table.map((row) => row.route))].sort();
		expect(rows).toEqual(endpointsOf(suite.app));
	});

	// A world is made again only after a cell changed something: a refused or read-only
	// cell is checked to leave every table and the store as they were, so the next cell
	// finds the world exactly as made.
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
		const written = changed(before, await snapshot(suite.db, dir));
		if (written.length === 0) fresh = world;

		expect(res.status, res.text).toBe(expected.status);
		if (expected.outcome === 'refused') {
			// A HEAD answer has no body to carry the code.
			if (spec.method !== 'HEAD') expect(res.json?.error?.code, res.text).toBe(expected.code);
			expect(written).toEqual([]);
			return;
		}
		expect(written.filter((name) => !row.writes?.includes(name))).toEqual([]);
		if (expected.outcome === 'withheld') {
			expect(await ownerDigest(suite.db, record!.ownerId)).toBe(ownerBefore);
		}
		await row.effect?.({ world, actor, record, expected, res });
	});
});
