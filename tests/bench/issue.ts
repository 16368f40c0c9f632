/**
 * `npm run bench:issue`: a phone with 100 entrepreneur registrations queued offline gets a
 * connection; how long until all 100 documents are on it. Real Chromium runs the built app
 * under its service worker, signed in; the applications (individual entrepreneur v2, a
 * low-risk activity, each applicant a different IIN, so the rule registers every one) are
 * written into its outbox as the app's submit writes them; then the phone goes online and
 * the clock runs until IndexedDB `dala`.`mirror` holds 100 states that carry a document.
 *
 * Twice: on loopback, and through a 2G link (tests/bench/shaper.ts: 35 KB/s each way,
 * 400 ms each way). Both go through the same proxy, which counts the bytes and times each
 * request; on loopback it passes bytes on at once. Fresh server, data and browser profile
 * per run; BENCH_RUNS runs of each (5). Prints the figures and the machine, rewrites the
 * bench:issue section of docs/benchmarks.md (BENCH_NO_WRITE=1 leaves it alone), and ends
 * with `bench:issue loopback_s=… g2_ratio=… code_chars=…`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import * as prettier from 'prettier';
import { v7 as uuidv7 } from 'uuid';
import { Authority } from '../../shared/documents/authorities';
import { documentAnswers, encodeClaims } from '../../shared/documents/claims';
import { signCode } from '../../shared/documents/code';
import { SIGNING_ALGORITHM } from '../../shared/documents/cose';
import { templateOf } from '../../shared/documents/templates';
import { findService } from '../../shared/services/catalog';
import { openDatabase } from '../../sync-server/db/open';
import { createLogger } from '../../sync-server/http/log';
import { validateAnswers } from '../../shared/services/validate';
import { personIin, signIn } from '../e2e/fill';
import { GOOD_BIRTH, GOOD_IE_V2, GOOD_PERMIT, GOOD_TAX } from '../support/service-answers';
import { corpusCodes, type CorpusCodes } from './corpus-codes';
import { describeMachine } from './machine';
import { ROOT, startSyncServer } from './processes';
import { sequentialRoundTrips, shapingProxy, type Shaping } from './shaper';

const APPLICATIONS = 100;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const G2: Shaping = { delayMs: 400, bytesPerSecond: 35_000 };
const RTT_S = (2 * G2.delayMs) / 1000;
const TARGET_LOOPBACK_S = 3;
const TARGET_G2_RATIO = 1.5;
const TARGET_CODE_CHARS = 500;
const DOCS = resolve(ROOT, 'docs/benchmarks.md');
const START = '<!-- bench:issue results start: written by `npm run bench:issue` -->';
const END = '<!-- bench:issue results end -->';

interface Run {
	seconds: number;
	sent: number;
	received: number;
	requests: string[];
	roundTrips: number;
	codes: number[];
}

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Today in UTC, never after today in Kazakhstan: a start date the rules accept. */
const today = new Date().toISOString().slice(0, 10);

/** 100 applicants, each a different valid IIN, none the signed-in person's. */
function applicantIins(): string[] {
	const iins = new Set<string>();
	for (let n = 1000; iins.size < APPLICATIONS; n++) iins.add(personIin(n));
	return [...iins];
}

/** The rows the app's submitDraft writes for a new application: its record and its mutation. */
function queuedRows() {
	const now = Date.now();
	return applicantIins().map((iin, i) => {
		const id = uuidv7();
		const answers = {
			...GOOD_IE_V2,
			iin,
			tradeName: `ЖК Сейтқали ${i + 1}`,
			activity: 'retail',
			startDate: today
		};
		return {
			application: {
				id,
				serviceId: 'individual-entrepreneur',
				serviceVersion: 2,
				answers,
				submittedAt: now
			},
			mutation: {
				id: uuidv7(),
				type: 'application.submit',
				applicationId: id,
				serviceId: 'individual-entrepreneur',
				serviceVersion: 2,
				answers,
				createdAt: now
			}
		};
	});
}

type Rows = ReturnType<typeof queuedRows>;

/** In the page: one transaction, as submitDraft's, for every application. */
async function queueInPage(rows: Rows): Promise<number> {
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open('dala');
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
	try {
		await new Promise<void>((resolve, reject) => {
			const tx = db.transaction(['applications', 'outbox'], 'readwrite');
			for (const row of rows) {
				tx.objectStore('applications').add(row.application);
				tx.objectStore('outbox').add(row.mutation);
			}
			tx.oncomplete = () => resolve();
			tx.onerror = () => reject(tx.error);
		});
		return await new Promise<number>((resolve, reject) => {
			const request = db.transaction('outbox').objectStore('outbox').count();
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
	} finally {
		db.close();
	}
}

/** In the page: the documents the mirror holds. */
async function documentsInPage(): Promise<string[]> {
	const db = await new Promise<IDBDatabase>((resolve, reject) => {
		const request = indexedDB.open('dala');
		request.onsuccess = () => resolve(request.result);
		request.onerror = () => reject(request.error);
	});
	try {
		const states = await new Promise<{ document?: string }[]>((resolve, reject) => {
			const request = db.transaction('mirror').objectStore('mirror').getAll();
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		return states.flatMap((s) => (typeof s.document === 'string' ? [s.document] : []));
	} finally {
		db.close();
	}
}

/** In the page: resolves once the mirror holds `count` documents, looking every 50 ms. */
async function untilDocumentsInPage(wanted: { count: number; timeoutMs: number }): Promise<void> {
	const deadline = performance.now() + wanted.timeoutMs;
	for (;;) {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('dala');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const held = await new Promise<number>((resolve, reject) => {
			const request = db.transaction('mirror').objectStore('mirror').getAll();
			request.onsuccess = () =>
				resolve(
					(request.result as { document?: string }[]).filter((s) => s.document?.startsWith('DL1:'))
						.length
				);
			request.onerror = () => reject(request.error);
		});
		db.close();
		if (held >= wanted.count) return;
		if (performance.now() > deadline) throw new Error(`${held} documents after the timeout`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

async function openBrowser(profile: string): Promise<{ context: BrowserContext; page: Page }> {
	const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
	if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}`);
	const context = await chromium.launchPersistentContext(profile, {
		executablePath,
		headless: true,
		viewport: { width: 360, height: 740 },
		locale: 'en-US',
		args: [
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync'
		]
	});
	// tsx compiles this script with esbuild's keepNames, which wraps functions passed to
	// page.evaluate in a `__name` helper that exists only in Node.
	await context.addInitScript('globalThis.__name = (fn) => fn');
	const page = context.pages()[0] ?? (await context.newPage());
	page.on('pageerror', (error) => console.error('page error:', error.message));
	return { context, page };
}

/**
 * An embedded database migrated once, which every run's server starts from a copy of (as
 * the e2e suites do): migrating a fresh PGlite directory takes seconds at each start.
 */
async function migratedTemplate(): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), 'dala-bench-issue-template-'));
	const opened = await openDatabase({ dataDir: dir, log: createLogger({ level: 'silent' }) });
	await opened.close();
	return dir;
}

/** One run on a fresh server, data directory and browser profile. */
async function run(template: string, shaping: Shaping | null, index: number): Promise<Run> {
	const dataDir = await mkdtemp(join(tmpdir(), 'dala-bench-issue-'));
	await cp(template, dataDir, { recursive: true });
	const profile = await mkdtemp(join(tmpdir(), 'dala-bench-profile-'));
	const server = await startSyncServer('', 1, {
		DATA_DIR: dataDir,
		STATIC_DIR: resolve(ROOT, 'build')
	});
	const proxy = await shapingProxy(server.port);
	const { context, page } = await openBrowser(profile);
	try {
		// The app's shell under its service worker, the person signed in while in town.
		await page.goto(proxy.url);
		await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
			timeout: 30_000
		});
		await signIn(page, server, personIin(150 + index), '18');
		await context.setOffline(true);
		const queued = await page.evaluate(queueInPage, queuedRows());
		if (queued !== APPLICATIONS) throw new Error(`the outbox holds ${queued}`);
		// Let the app notice the queue and fail to send it while offline, as it would.
		await page.waitForTimeout(500);

		proxy.shape(shaping);
		proxy.reset();
		const started = performance.now();
		await context.setOffline(false);
		await page.evaluate(untilDocumentsInPage, {
			count: APPLICATIONS,
			timeoutMs: shaping ? 240_000 : 60_000
		});
		const ended = performance.now();
		const sent = proxy.sent;
		const received = proxy.received;
		const exchanges = proxy.exchanges().filter((e) => e.start <= ended);
		const codes = (await page.evaluate(documentsInPage)).map((c) => c.length);
		return {
			seconds: (ended - started) / 1000,
			sent,
			received,
			requests: exchanges.map((e) => e.request.replace(/\?.*/, '')),
			roundTrips: sequentialRoundTrips(exchanges),
			codes
		};
	} finally {
		await context.close();
		await proxy.close();
		await server.stop();
		await rm(profile, { recursive: true, force: true });
		await rm(dataDir, { recursive: true, force: true });
	}
}

/** A typical document of each service, signed with a key of our own: its code's length. */
async function sampleCodes(): Promise<{ serviceId: string; chars: number }[]> {
	const pair = (await crypto.subtle.generateKey(SIGNING_ALGORITHM, true, [
		'sign',
		'verify'
	])) as CryptoKeyPair;
	const key = { keyId: new Uint8Array(8).fill(7), privateKey: pair.privateKey };
	const samples = [
		['individual-entrepreneur', 2, { ...GOOD_IE_V2, startDate: today }],
		['trade-outlet-permit', 1, GOOD_PERMIT],
		['birth-registration', 1, GOOD_BIRTH],
		['simplified-tax-declaration', 1, GOOD_TAX]
	] as const;
	const out = [];
	for (const [serviceId, version, answers] of samples) {
		const service = findService(serviceId, version)!;
		// The sample answers are fixed to their own day (service-answers.ts TODAY); a date
		// rule that fails on another day changes no code's length, so answers are used as given.
		const checked = validateAnswers(service, answers, { today: '2026-11-26' });
		const normalized = checked.ok ? checked.answers : answers;
		const code = await signCode(
			encodeClaims({
				serial: 1_234_567,
				serviceId,
				serviceVersion: version,
				authority: templateOf(serviceId)?.authority ?? Authority.stateRevenue,
				issuedAt: new Date(),
				answers: documentAnswers(service, normalized)
			}),
			key
		);
		out.push({ serviceId, chars: code.length });
	}
	return out;
}

interface Summary {
	seconds: number;
	bytes: number;
	roundTrips: number;
	limit: number;
	ratio: number;
	requests: string;
}

function summarize(runs: Run[]): Summary {
	const seconds = median(runs.map((r) => r.seconds));
	const bytes = median(runs.map((r) => r.sent + r.received));
	const roundTrips = median(runs.map((r) => r.roundTrips));
	const limit = bytes / G2.bytesPerSecond + roundTrips * RTT_S;
	const counts = new Map<string, number>();
	for (const request of runs[0]!.requests) counts.set(request, (counts.get(request) ?? 0) + 1);
	const requests = [...counts].map(([r, n]) => (n > 1 ? `${r} ×${n}` : r)).join(', ');
	return { seconds, bytes, roundTrips, limit, ratio: seconds / limit, requests };
}

const s = (seconds: number) => seconds.toFixed(2);
const met = (ok: boolean) => (ok ? 'met' : '**missed**');

function section(
	loopback: Run[],
	g2: Run[],
	samples: { serviceId: string; chars: number }[],
	corpus: CorpusCodes,
	machine: ReturnType<typeof describeMachine>
): string {
	const l = summarize(loopback);
	const g = summarize(g2);
	const codes = loopback.flatMap((r) => r.codes);
	return [
		`Measured ${machine.date} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), ` +
			`Node ${machine.node}, code ${machine.code}; load average ${machine.loadAverage.toFixed(2)}. ` +
			`Medians of ${loopback.length} runs on loopback and ${g2.length} on 2G.`,
		'',
		'| link | documents on the phone | bytes on the wire (up + down) | round trips in a row | physical limit | measured ÷ limit | target | |',
		'| --- | --- | --- | --- | --- | --- | --- | --- |',
		`| loopback | ${s(l.seconds)} s | ${l.bytes} | ${l.roundTrips} | | | ≤ ${TARGET_LOOPBACK_S} s | ${met(l.seconds <= TARGET_LOOPBACK_S)} |`,
		`| 2G (35 KB/s, 800 ms RTT) | ${s(g.seconds)} s | ${g.bytes} | ${g.roundTrips} | ${s(g.limit)} s | ${g.ratio.toFixed(2)}× | ≤ ${TARGET_G2_RATIO}× | ${met(g.ratio <= TARGET_G2_RATIO)} |`,
		'',
		`Each run, seconds: loopback ${loopback.map((r) => s(r.seconds)).join(', ')}; ` +
			`2G ${g2.map((r) => s(r.seconds)).join(', ')}.`,
		'',
		`Requests from going online to the last document (one run, loopback): ${l.requests}.`,
		'',
		`Codes on the phone (${codes.length} entrepreneur registrations, ${loopback.length} loopback runs): the largest ` +
			`${Math.max(...codes)} characters, the median ${median(codes)}. A typical document of ` +
			`each service, signed the same way: ` +
			samples.map((x) => `${x.serviceId} ${x.chars}`).join(', ') +
			' characters.',
		'',
		`Every document the benchmark corpus would be issued (tests/bench/documents.ts, signed as ` +
			`the server signs, serial 9,999,999): the largest **${corpus.largest} characters** ` +
			`(target ≤ ${TARGET_CODE_CHARS}: ${met(corpus.largest <= TARGET_CODE_CHARS)}); ` +
			corpus.services
				.map((x) => `${x.serviceId} ${x.count} documents, largest ${x.largest}, median ${x.median}`)
				.join('; ') +
			'.'
	].join('\n');
}

async function writeSection(text: string): Promise<void> {
	const current = readFileSync(DOCS, 'utf8');
	const start = current.indexOf(START);
	const end = current.indexOf(END);
	if (start < 0 || end < start) throw new Error(`${DOCS} has lost its bench:issue markers`);
	const updated =
		current.slice(0, start + START.length) + '\n\n' + text + '\n\n' + current.slice(end);
	const options = (await prettier.resolveConfig(DOCS)) ?? {};
	writeFileSync(DOCS, await prettier.format(updated, { ...options, filepath: DOCS }));
}

async function main(): Promise<void> {
	if (!existsSync(resolve(ROOT, 'build/index.html'))) {
		throw new Error('The app is not built: run `npm run build` first.');
	}
	const machine = describeMachine('not used (PGlite)', ROOT);
	const template = await migratedTemplate();
	const loopback: Run[] = [];
	const g2: Run[] = [];
	try {
		await runAll();
	} finally {
		await rm(template, { recursive: true, force: true });
	}
	async function runAll() {
		for (let i = 0; i < RUNS; i++) {
			loopback.push(await run(template, null, i));
			console.log(`loopback run ${i + 1}: ${s(loopback.at(-1)!.seconds)} s`);
		}
		for (let i = 0; i < RUNS; i++) {
			g2.push(await run(template, G2, i));
			const r = g2.at(-1)!;
			console.log(
				`2G run ${i + 1}: ${s(r.seconds)} s, ${r.sent + r.received} B, ${r.roundTrips} round trips: ` +
					r.requests.join(', ')
			);
		}
	}
	const samples = await sampleCodes();
	const corpus = await corpusCodes();
	const text = section(loopback, g2, samples, corpus, machine);
	console.log(text);
	if (!process.env.BENCH_NO_WRITE) await writeSection(text);
	const codes = loopback.flatMap((r) => r.codes);
	console.log(
		`bench:issue loopback_s=${s(summarize(loopback).seconds)} ` +
			`g2_ratio=${summarize(g2).ratio.toFixed(2)} code_chars=${Math.max(...codes, corpus.largest)}`
	);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
