/**
 * The figures a run produces, derived once from the raw measurements, so the console,
 * the summary line and docs/benchmarks.md can never disagree.
 */
import type { CatchUpResult, PullPass } from './catch-up';
import type { ServiceShare } from './corpus';
import type { IngestResult } from './ingest';
import type { LoadResult } from './load';
import type { Machine } from './machine';
import type { CeilingResult } from './postgres-ceiling';
import type { PouchResult } from './pouchdb-replication';
import type { ServerWritesResult } from './server-writes';

export interface Measurements {
	machine: Machine;
	documents: {
		count: number;
		mutationBytes: number;
		answersBytes: number;
		storedAnswersBytes: number;
		services: ServiceShare[];
		pouchDocumentBytes: number;
	};
	pool: number;
	ingest: { one: IngestResult; pool: IngestResult };
	ceiling: { one: CeilingResult; pool: CeilingResult };
	serverWrites: { one: ServerWritesResult; pool: ServerWritesResult };
	pouch: { one: PouchResult; pool: PouchResult };
	catchUp: CatchUpResult;
	load: LoadResult;
	totalSeconds: number;
}

export const TARGETS = { vsPostgres: 0.75, vsPouch: 8, wire: 0.3, catchUpMs: 1000 } as const;

const rate = (r: { seconds: number }, count: number) => count / r.seconds;

/** Bytes per item both ways, and against the uncompressed JSON of the same items. */
function wireFigures(wire: { sent: number; received: number }, items: number, rawBytes: number) {
	return {
		sentPerItem: wire.sent / items,
		receivedPerItem: wire.received / items,
		totalPerItem: (wire.sent + wire.received) / items,
		rawPerItem: rawBytes / items,
		ratio: (wire.sent + wire.received) / rawBytes,
		sentRatio: wire.sent / rawBytes
	};
}

export function figures(m: Measurements) {
	const ingestOne = rate(m.ingest.one, m.ingest.one.applications);
	const ingestPool = rate(m.ingest.pool, m.ingest.pool.applications);
	const ceilingOne = rate(m.ceiling.one, m.ceiling.one.rows);
	const ceilingPool = rate(m.ceiling.pool, m.ceiling.pool.rows);
	const writesOne = rate(m.serverWrites.one, m.serverWrites.one.rows);
	const writesPool = rate(m.serverWrites.pool, m.serverWrites.pool.rows);
	const pouchOne = rate(m.pouch.one, m.pouch.one.documents);
	const pouchPool = rate(m.pouch.pool, m.pouch.pool.documents);
	const push = wireFigures(m.ingest.pool.wire, m.ingest.pool.applications, m.ingest.pool.rawBytes);
	const pouchWire = wireFigures(
		m.pouch.one.wire,
		m.pouch.one.documents,
		m.documents.pouchDocumentBytes * m.pouch.one.documents
	);
	const pullFor = (pass: PullPass) => ({
		pass,
		...wireFigures(pass.wire, pass.changes, pass.rawBytes)
	});
	const pulls = m.catchUp.passes.map(pullFor);
	const appPull = pulls[0];
	if (!appPull) throw new Error('no catch-up pass');
	return {
		ingestOne,
		ingestPool,
		ceilingOne,
		ceilingPool,
		pouchOne,
		pouchPool,
		writesOne,
		writesPool,
		vsPostgresOne: ingestOne / ceilingOne,
		vsPostgres: ingestPool / ceilingPool,
		vsPouchOne: ingestOne / pouchOne,
		vsPouch: ingestPool / pouchPool,
		push,
		pouchWire,
		pulls,
		appPull,
		// The headline wire figure is the worse of push and pull: neither may hide the other.
		wire: Math.max(push.ratio, appPull.ratio),
		catchUpMs: appPull.pass.serverMs
	};
}

export type Figures = ReturnType<typeof figures>;

/** The last line the benchmark prints, exactly in this shape. */
export function summaryLine(f: Figures): string {
	return (
		`bench:sync ingest=${Math.round(f.ingestPool)} vs_pg=${f.vsPostgres.toFixed(2)} ` +
		`vs_pouch=${f.vsPouch.toFixed(2)} wire=${f.wire.toFixed(2)}`
	);
}
