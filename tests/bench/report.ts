/**
 * The run's figures as Markdown: printed to the console and written into the generated
 * section of docs/benchmarks.md (between the markers), leaving the prose around it alone.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';
import type { Figures, Measurements } from './results';
import { TARGETS } from './results';
import { ms, ratio, whole } from './stats';

const START = '<!-- bench:sync results start: written by `npm run bench:sync` -->';
const END = '<!-- bench:sync results end -->';

const met = (ok: boolean) => (ok ? 'met' : '**missed**');

export function markdown(m: Measurements, f: Figures): string {
	const { machine: mc, documents: d, pool } = m;
	const load = m.load;
	const loadRate = load.applications / load.seconds;
	const requestRate = (load.pushes + load.pulls) / load.seconds;
	const [appPull, bigPull] = f.pulls;
	const lines = [
		`Run of ${mc.date.slice(0, 10)} (${mc.date}), ${m.totalSeconds.toFixed(0)} s in all, ` +
			`of commit ${mc.code}.`,
		`Machine: ${mc.cores} cores (${mc.cpu}), ${mc.memoryGiB} GiB RAM, Node ${mc.node}, ` +
			`PostgreSQL ${mc.postgres}. Server pool: ${pool} connections (DATABASE_POOL_SIZE). ` +
			`Load average (1 min) at the start: ${mc.loadAverage.toFixed(2)}.`,
		'',
		'| figure | value | target | |',
		'| --- | --- | --- | --- |',
		`| ingest, ${pool} devices at once (apps/s) | ${whole(f.ingestPool)} | | |`,
		`| ingest ÷ raw INSERT over ${pool} connections | ${ratio(f.vsPostgres)} | ≥ ${TARGETS.vsPostgres} | ${met(f.vsPostgres >= TARGETS.vsPostgres)} |`,
		`| ingest, 1 device ÷ raw INSERT over 1 connection | ${ratio(f.vsPostgresOne)} | ≥ ${TARGETS.vsPostgres} | ${met(f.vsPostgresOne >= TARGETS.vsPostgres)} |`,
		`| ingest ÷ PouchDB, ${pool} devices each | ${ratio(f.vsPouch)} | ≥ ${TARGETS.vsPouch} | ${met(f.vsPouch >= TARGETS.vsPouch)} |`,
		`| ingest ÷ PouchDB, 1 device each | ${ratio(f.vsPouchOne)} | ≥ ${TARGETS.vsPouch} | ${met(f.vsPouchOne >= TARGETS.vsPouch)} |`,
		`| wire ÷ raw JSON, push (both directions) | ${ratio(f.push.ratio)} | ≤ ${TARGETS.wire} | ${met(f.push.ratio <= TARGETS.wire)} |`,
		`| wire ÷ raw JSON, pull (both directions) | ${ratio(f.appPull.ratio)} | ≤ ${TARGETS.wire} | ${met(f.appPull.ratio <= TARGETS.wire)} |`,
		`| catch-up of ${whole(m.catchUp.behind)} changes, server time (ms) | ${whole(f.catchUpMs)} | ≤ ${TARGETS.catchUpMs} | ${met(f.catchUpMs <= TARGETS.catchUpMs)} |`,
		`| under load: errors | ${load.errors} | 0 | ${met(load.errors === 0)} |`,
		'',
		'**Documents.** ' +
			`${whole(d.count)} applications, the same for every system: ` +
			d.services
				.map((s) => `${whole(s.count)} ${s.serviceId} (${whole(s.mutationBytes)} B each as sent)`)
				.join(', ') +
			'. ' +
			`A submit mutation as a device sends it: ${whole(d.mutationBytes)} bytes of JSON on average ` +
			`(answers as typed ${whole(d.answersBytes)} B; normalized, as the app queues and sends them ` +
			`and the server stores them, ${whole(d.storedAnswersBytes)} B); ` +
			`the PouchDB document: ${whole(d.pouchDocumentBytes)} B.`,
		'',
		'**Ingest** (applications per second; batches of 100; each device one push at a time)',
		'',
		'| system | concurrency | apps/s | seconds | server CPU | PostgreSQL CPU | bench CPU | other CPU |',
		'| --- | --- | --- | --- | --- | --- | --- | --- |',
		...(['one', 'pool'] as const).map((k) => {
			const r = m.ingest[k];
			return (
				`| Dala push over HTTP | ${r.concurrency} device(s) | ${whole(r.applications / r.seconds)} | ` +
				`${r.seconds.toFixed(2)} | ${ratio(r.cpu.server)} | ${ratio(r.cpu.postgres)} | ${ratio(r.cpu.bench)} | ${ratio(r.cpu.other)} |`
			);
		}),
		...(['one', 'pool'] as const).map((k) => {
			const r = m.ceiling[k];
			return `| raw multi-row INSERT | ${r.connections} connection(s) | ${whole(r.rows / r.seconds)} | ${r.seconds.toFixed(2)} | | | | |`;
		}),
		...(['one', 'pool'] as const).map((k) => {
			const r = m.serverWrites[k];
			return `| the server's writes, raw SQL (diagnostic) | ${r.connections} connection(s) | ${whole(r.rows / r.seconds)} | ${r.seconds.toFixed(2)} | | | | |`;
		}),
		...(['one', 'pool'] as const).map((k) => {
			const r = m.pouch[k];
			return (
				`| PouchDB → pouchdb-server | ${r.devices} replication(s) | ${whole(r.documents / r.seconds)} | ` +
				`${r.seconds.toFixed(2)} | ${ratio(r.cpu.server)} (pouchdb-server) | | ${ratio(r.cpu.bench)} | ${ratio(r.cpu.other)} |`
			);
		}),
		'',
		...(['one', 'pool'] as const).flatMap((k) => {
			const r = m.ingest[k];
			const c = r.decided;
			if (!c) return [];
			return [
				`Decided by rule on the push, ${r.concurrency} device(s), all timed rounds: ` +
					`${whole(c.approved)} of ${whole(c.applications)} applications approved ` +
					`(${((100 * c.approved) / Math.max(1, c.applications)).toFixed(1)} %), ` +
					`${whole(c.documents)} documents signed and recorded in the push's transaction.`,
				''
			];
		}),
		`Where the gap goes: the promises (device lock, lookup of mutations seen before, ` +
			`feed position, last seq; ${'`'}server-writes.ts${'`'}) cost the database ${ratio(f.ceilingOne / f.writesOne)}× the raw ` +
			`INSERT over 1 connection and ${ratio(f.ceilingPool / f.writesPool)}× over ${pool}; the server process ` +
			`(HTTP, signature, gzip, parsing, validation, query building, round trips) then keeps ` +
			`${ratio(f.ingestOne / f.writesOne)} and ${ratio(f.ingestPool / f.writesPool)} of what is left.`,
		'',
		'CPU columns: cores used on average during the timed window (2.00 = both cores busy); ' +
			'"other" is every other process on the machine meanwhile.',
		'',
		'**Bytes on the wire** (counted on the client sockets: request and status lines, headers, bodies)',
		'',
		'| what | sent / item | received / item | total / item | raw JSON / item | total ÷ raw |',
		'| --- | --- | --- | --- | --- | --- |',
		`| push, per application (gzip, 100 a request) | ${whole(f.push.sentPerItem)} | ${whole(f.push.receivedPerItem)} | ${whole(f.push.totalPerItem)} | ${whole(f.push.rawPerItem)} | ${ratio(f.push.ratio)} (sent alone ${ratio(f.push.sentRatio)}) |`,
		...[appPull, bigPull].flatMap((p) =>
			p
				? [
						`| pull, per status change (page ${p.pass.limit ?? 'default 200'}) | ${whole(p.sentPerItem)} | ${whole(p.receivedPerItem)} | ${whole(p.totalPerItem)} | ${whole(p.rawPerItem)} | ${ratio(p.ratio)} |`
					]
				: []
		),
		`| PouchDB replication, per document | ${whole(f.pouchWire.sentPerItem)} | ${whole(f.pouchWire.receivedPerItem)} | ${whole(f.pouchWire.totalPerItem)} | ${whole(f.pouchWire.rawPerItem)} | ${ratio(f.pouchWire.ratio)} |`,
		'',
		`PouchDB made ${whole(m.pouch.one.requests)} HTTP requests for ${whole(m.pouch.one.documents)} documents; ` +
			`Dala ${whole(m.ingest.pool.requests)}.`,
		'',
		`**Catch-up** (${whole(m.catchUp.behind)} status changes made by signed-in reviewers through the office API ` +
			`at ${whole(m.catchUp.decisionsPerSecond)} decisions/s while the kiosk was away)`,
		'',
		'| page size | pages | server time (sum of requests) | wall time |',
		'| --- | --- | --- | --- |',
		...f.pulls.map(
			(p) =>
				`| ${p.pass.limit ?? 'default (200), as the app pulls'} | ${p.pass.requests} | ${whole(p.pass.serverMs)} ms | ${whole(p.pass.wallMs)} ms |`
		),
		'',
		`**Under load**: ${load.devices} devices for ${load.seconds.toFixed(1)} s, each pushing ${load.batch} ` +
			'new applications and then pulling until current, again and again.',
		'',
		'| applications/s | requests/s | push p50 / p99 | pull p50 / p99 | errors | CPU: server / PostgreSQL / bench / other |',
		'| --- | --- | --- | --- | --- | --- |',
		`| ${whole(loadRate)} | ${whole(requestRate)} | ${ms(load.push.p50)} / ${ms(load.push.p99)} ms | ` +
			`${ms(load.pull.p50)} / ${ms(load.pull.p99)} ms | ${load.errors}${load.firstError ? ` (first: ${load.firstError})` : ''} | ` +
			`${ratio(load.cpu.server)} / ${ratio(load.cpu.postgres)} / ${ratio(load.cpu.bench)} / ${ratio(load.cpu.other)} |`
	];
	return lines.join('\n');
}

/** Replaces the generated section of `path` (creating the file around it if need be). */
export async function writeResults(path: string, section: string): Promise<void> {
	const current = existsSync(path)
		? readFileSync(path, 'utf8')
		: `# Benchmarks\n\n## bench:sync\n\n${START}\n${END}\n`;
	const start = current.indexOf(START);
	const end = current.indexOf(END);
	if (start < 0 || end < start) throw new Error(`${path} has lost its bench:sync markers`);
	const text =
		current.slice(0, start + START.length) + '\n\n' + section + '\n\n' + current.slice(end);
	// Formatted as the repository's Prettier check expects, so a run leaves it clean.
	const options = (await prettier.resolveConfig(path)) ?? {};
	writeFileSync(path, await prettier.format(text, { ...options, filepath: path }));
}
