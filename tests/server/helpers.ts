/** What the server suites share: fixtures, a protocol-speaking client, database probes. */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { iinCheckDigit } from '../../shared/iin';
import { Header, PROTOCOL_VERSION, type Mutation } from '../../shared/protocol';
import type { ApplicationStatus } from '../../shared/status';
import { createApp } from '../../sync-server/app';
import type { Database } from '../../sync-server/db/open';
import { applications, changes, mutations } from '../../sync-server/db/schema';
import { createLogger } from '../../sync-server/log';

export type App = ReturnType<typeof createApp>;

/** The app with a logger that writes nothing: failures show in assertions, not noise. */
export function testApp(db: Database, staticDir?: string): App {
	return createApp({ db, log: createLogger({ level: 'silent' }), staticDir });
}

/** A device as it names itself: a random lowercase UUID. */
export function newDevice(): string {
	return randomUUID();
}

/** A valid IIN (the check digit computed by the shared rule), deterministic per `n`. */
export function validIin(n = 0): string {
	for (let i = n; ; i++) {
		const first11 = `9001013${String(i).padStart(4, '0')}`;
		const check = iinCheckDigit(first11);
		if (check !== null) return `${first11}${check}`;
	}
}

/** A well-formed IIN whose check digit is wrong. */
export function invalidIin(): string {
	const iin = validIin();
	return iin.slice(0, 11) + String((Number(iin[11]) + 1) % 10);
}

/** Answers as a person might type them: spaces, local phone format, an extra key. */
export function rawAnswers(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	const iin = validIin();
	return {
		iin: `${iin.slice(0, 6)} ${iin.slice(6)}`,
		fullName: '  Aigerim Seitkali ',
		businessName: 'IE Seitkali',
		activity: 'retail',
		address: 'Almaty region, Talgar, Abay 1',
		phone: '8 (701) 234-56-78',
		notInTheForm: 'dropped by the server',
		...overrides
	};
}

/** What the server must store for `rawAnswers()`: trimmed, normalized, nothing extra. */
export function normalizedAnswers(): Record<string, string> {
	return {
		iin: validIin(),
		fullName: 'Aigerim Seitkali',
		businessName: 'IE Seitkali',
		activity: 'retail',
		address: 'Almaty region, Talgar, Abay 1',
		phone: '+77012345678'
	};
}

/** A submit mutation with fresh ids; override any part. */
export function submit(overrides: Partial<Mutation> = {}): Mutation {
	return {
		id: uuidv7(),
		seq: 1,
		type: 'application.submit',
		applicationId: uuidv7(),
		serviceId: 'individual-entrepreneur',
		serviceVersion: 1,
		answers: rawAnswers(),
		...overrides
	};
}

/** The headers a current client sends. */
export function syncHeaders(device: string): Record<string, string> {
	return { [Header.protocol]: String(PROTOCOL_VERSION), [Header.device]: device };
}

export interface Answer {
	status: number;
	text: string;
	/** The parsed body; `undefined` when it is not JSON. */
	json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- asserted field by field
	headers: Headers;
}

async function answer(response: Response | Promise<Response>): Promise<Answer> {
	const res = await response;
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, text, json, headers: res.headers };
}

/** POSTs `body` (stringified unless already a string) to /api/sync/push. */
export function push(
	app: App,
	device: string,
	body: unknown,
	headers: Record<string, string> = syncHeaders(device)
): Promise<Answer> {
	return answer(
		app.request('/api/sync/push', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', ...headers },
			body: typeof body === 'string' ? body : JSON.stringify(body)
		})
	);
}

/** GETs /api/sync/pull with the given query parameters. */
export function pull(
	app: App,
	device: string,
	query: Record<string, string | number> = {},
	headers: Record<string, string> = syncHeaders(device)
): Promise<Answer> {
	const search = new URLSearchParams(
		Object.entries(query).map(([k, value]) => [k, String(value)])
	).toString();
	return answer(app.request(`/api/sync/pull${search ? `?${search}` : ''}`, { headers }));
}

/** GETs any path. */
export function get(app: App, path: string, headers: Record<string, string> = {}) {
	return answer(app.request(path, { headers }));
}

/** Row counts of every table a push may write. */
export async function counts(db: Database) {
	return {
		applications: await db.$count(applications),
		mutations: await db.$count(mutations),
		changes: await db.$count(changes)
	};
}

/** The stored application row, or undefined. */
export async function storedApplication(db: Database, id: string) {
	const [row] = await db.select().from(applications).where(eq(applications.id, id));
	return row;
}

/**
 * What a back-office reviewer's decision does: change the status, bump the version and
 * append to the owner's feed, all in one transaction.
 */
export async function review(
	db: Database,
	applicationId: string,
	status: ApplicationStatus,
	reason?: string
): Promise<void> {
	await db.transaction(async (tx) => {
		const [row] = await tx
			.update(applications)
			.set({
				status,
				reason: reason ?? null,
				version: sql`${applications.version} + 1`,
				updatedAt: sql`now()`
			})
			.where(eq(applications.id, applicationId))
			.returning({ deviceId: applications.deviceId });
		if (!row) throw new Error(`no application ${applicationId}`);
		await tx.insert(changes).values({ applicationId, deviceId: row.deviceId });
	});
}

/**
 * Waits until every transaction that had started when it was called has finished. A pull
 * only reads the feed below the oldest running transaction of the whole cluster, so on a
 * shared PostgreSQL another suite's open transaction can briefly hold back what this suite
 * just committed. Tests that expect to see their own writes call this first; it is not a
 * retry: it waits for a condition the server itself relies on, then pulls once.
 */
export async function settleFeed(db: Database): Promise<void> {
	const noTable = sql`(values (1)) as one`;
	const [start] = await db
		.select({ xmax: sql<string>`pg_snapshot_xmax(pg_current_snapshot())::text` })
		.from(noTable);
	if (!start) throw new Error('no snapshot');
	const deadline = Date.now() + 10_000;
	for (;;) {
		const [now] = await db
			.select({
				done: sql<boolean>`pg_snapshot_xmin(pg_current_snapshot()) >= ${start.xmax}::xid8`
			})
			.from(noTable);
		if (now?.done) return;
		if (Date.now() > deadline) throw new Error('a transaction stayed open for 10 s');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/** Pulls from `cursor` until hasMore is false; every page's changes, and the last cursor. */
export async function pullAll(app: App, db: Database, device: string, cursor?: string) {
	await settleFeed(db);
	const pages: Answer[] = [];
	let next = cursor;
	for (;;) {
		const page = await pull(app, device, next === undefined ? {} : { cursor: next });
		if (page.status !== 200) throw new Error(`pull answered ${page.status}: ${page.text}`);
		pages.push(page);
		next = page.json.cursor;
		if (!page.json.hasMore) break;
	}
	return { changes: pages.flatMap((p) => p.json.changes), cursor: next as string, pages };
}
