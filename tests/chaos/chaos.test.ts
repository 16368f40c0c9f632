/**
 * Chaos against real processes: sync servers as their own Node processes on a real
 * PostgreSQL, behind a TCP proxy that stalls, cuts and resets exchanges (also after the
 * commit); 20 devices running the app's real outbox, engine and HTTP transport, each
 * queueing 50 applications while the servers are SIGKILLed and restarted twice and, for
 * a while, two of them serve at once; a reviewer deciding applications the devices are
 * correcting. Then everything quiets down, every device syncs until it has converged,
 * and the database is checked against what the devices and the reviewer actually did.
 *
 * Seeded: `CHAOS_SEED=<n> npm run test:chaos` plans the same run again (the same dice
 * for the n-th request, the same kill moments, the same person actions). The operating
 * system schedules the processes, so the interleaving is close to, not exactly, the same.
 */
import 'fake-indexeddb/auto';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { checkPromises } from './checks';
import { SimDevice } from './devices';
import { ChaosProxy } from './proxy';
import { Rng, seedFrom, sleep } from './random';
import { NATIONAL_REGION } from '../../shared/accounts';
import { createStaffByCli, StaffDevice } from '../support/staff-device';
import { Reviewer } from './reviewer';
import { personFor } from './sign-in';
import { playScenario, SCENARIOS, type Scenario } from './scenarios';
import { DatabaseFaults } from './db-faults';
import { commitLate, installHold } from './late-commits';
import { Uploader } from './uploader';
import {
	canConnect,
	createScratchDatabase,
	freePort,
	ServerProcess,
	type ScratchDatabase
} from './servers';

const SEED = seedFrom(process.env.CHAOS_SEED);
const REPLAY = `CHAOS_SEED=${SEED} npm run test:chaos`;
const CONFIGURED = process.env.CHAOS_DATABASE_URL || process.env.TEST_DATABASE_URL;
const ADMIN_URL = CONFIGURED || 'postgres://postgres@127.0.0.1:5432/postgres';
// Like the server suite: PostgreSQL is optional for a plain `npm test` on a laptop without
// one, but once a URL is configured (CI sets TEST_DATABASE_URL) an unreachable one fails.
const AVAILABLE = Boolean(CONFIGURED) || (await canConnect(ADMIN_URL));
if (!AVAILABLE) {
	console.warn(
		`chaos: SKIPPED, no PostgreSQL at ${ADMIN_URL}. Start one, or set CHAOS_DATABASE_URL.`
	);
}

const DEVICES = 20;
const APPLICATIONS = 50;
/** Of the requests that cross the proxy while chaos is on, this share is broken. */
const FAULT_RATE = 0.25;
/** Devices whose app dies mid-sync and starts again, twice each. */
const CRASHING_DEVICES = 4;
const CHAOS_BUDGET_MS = 100_000;
/** Devices whose pull runs past a decision held open (late-commits.ts). */
const LATE_COMMITS = 3;
const SETTLE_BUDGET_MS = 40_000;
/** Devices sending photos over tus meanwhile (uploader.ts). */
const UPLOADERS = 3;

/** Everything the run started, so that a failure anywhere still cleans all of it up. */
const started: {
	database?: ScratchDatabase;
	servers: ServerProcess[];
	proxy?: ChaosProxy;
	devices: SimDevice[];
	faults?: { sql: postgres.Sql; injector: DatabaseFaults };
	dataDir?: string;
} = { servers: [], devices: [] };

afterAll(async () => {
	await Promise.allSettled(started.devices.map((d) => d.destroy()));
	await Promise.allSettled(started.servers.map((s) => s.kill()));
	await started.proxy?.close();
	if (started.faults) await started.faults.sql.end({ timeout: 5 });
	await started.database?.drop();
	if (started.dataDir) await rm(started.dataDir, { recursive: true, force: true });
});

describe.skipIf(!AVAILABLE)('chaos: real servers on PostgreSQL behind a faulty network', () => {
	it('keeps every promise through cuts, kills and two servers at once', async () => {
		console.log(`chaos seed ${SEED} (replay: ${REPLAY})`);
		try {
			await run();
		} catch (error) {
			vi.restoreAllMocks();
			console.error(`chaos seed ${SEED} failed; replay: ${REPLAY}`);
			throw error;
		} finally {
			vi.restoreAllMocks();
		}
	});
});

async function run(): Promise<void> {
	const began = Date.now();
	const clock = () => `${((Date.now() - began) / 1000).toFixed(1)}s`;
	const timeline: string[] = [];
	const note = (text: string) => timeline.push(`${clock()} ${text}`);
	const root = new Rng(SEED);
	const deadline = began + CHAOS_BUDGET_MS;

	// A dead tab's engine reports the closed database it was writing to: expected here.
	let deadTabErrors = 0;
	const consoleError = console.error.bind(console);
	vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
		if (
			args[0] === 'sync failed' &&
			(args[1] as Error | undefined)?.name === 'DatabaseClosedError'
		) {
			deadTabErrors += 1;
		} else consoleError(...args);
	});

	const database = await createScratchDatabase(
		ADMIN_URL,
		`dala_chaos_${SEED}_${randomBytes(4).toString('hex')}`
	);
	started.database = database;

	// Two server slots on fixed ports, so a restarted server comes back where the
	// balancer (the proxy) expects it.
	// One upload store for both servers, as production shares one bucket.
	const dataDir = await mkdtemp(join(tmpdir(), 'dala-chaos-'));
	started.dataDir = dataDir;
	const ports = [await freePort(), await freePort()] as const;
	const slots: ServerProcess[] = [];
	const boot = async (slot: 0 | 1) => {
		const generation = started.servers.filter((s) => s.port === ports[slot]).length + 1;
		const server = await ServerProcess.start({
			label: `server-${'AB'[slot]}${generation}`,
			port: ports[slot],
			databaseUrl: database.url,
			// Small pools: two processes and the checks stay far from max_connections.
			env: { DATABASE_POOL_SIZE: '5', DATA_DIR: dataDir }
		});
		started.servers.push(server);
		slots[slot] = server;
		note(`${server.label} up`);
	};
	const kills: string[] = [];
	const kill = async (slot: 0 | 1) => {
		const server = slots[slot]!;
		kills.push(`${server.label} at ${clock()}`);
		await server.kill();
		note(`${server.label} SIGKILLed`);
	};
	await boot(0);
	// Now that the server has migrated the database.
	const admin = postgres(database.url, { max: 2, onnotice: () => {} });
	try {
		await installHold(admin);
	} finally {
		await admin.end({ timeout: 5 });
	}

	const proxy = await ChaosProxy.start({
		rng: root.fork('proxy'),
		upstreams: [ports[0]],
		faultRate: FAULT_RATE
	});
	started.proxy = proxy;
	const prefix = `chaos-${SEED}-${randomBytes(3).toString('hex')}`;
	const devices = await Promise.all(
		Array.from({ length: DEVICES }, (_, i) =>
			SimDevice.open(i, root.fork(`device-${i}`), proxy.url, prefix)
		)
	);
	started.devices.push(...devices);
	// Everyone signs in before the faults start, straight at the one server: a sign-in cut
	// by the proxy would spend its code, and codes are limited per device and phone.
	const signInAt = {
		serverUrl: `http://127.0.0.1:${ports[0]}`,
		readCode: (maskedPhone: string) => slots[0]!.signInCode(maskedPhone)
	};
	await Promise.all(devices.map((d) => d.signIn(signInAt.serverUrl, signInAt.readCode)));
	// Every chaos application is in the national queue (entrepreneur v1): its reviewer,
	// made by the admin CLI and signed in the same way, straight at the server.
	const setPassword = await createStaffByCli(
		{ DATABASE_URL: database.url },
		'reviewer',
		NATIONAL_REGION
	);
	const reviewer = new Reviewer(
		proxy.url,
		await StaffDevice.signIn(signInAt.serverUrl, setPassword),
		root.fork('reviewer')
	);
	const uploaders = await Promise.all(
		Array.from({ length: UPLOADERS }, (_, i) =>
			Uploader.open(
				`uploader-${i}`,
				personFor(DEVICES + i),
				proxy.url,
				root.fork(`uploader-${i}`),
				signInAt
			)
		)
	);
	note('everyone signed in');
	const faultsSql = postgres(database.url, { max: 1, onnotice: () => {} });
	const faults = await DatabaseFaults.start(faultsSql, root.fork('db-faults'));
	started.faults = { sql: faultsSql, injector: faults };
	note('database faults on');
	const crashing = new Set(root.fork('crashing').shuffle(devices).slice(0, CRASHING_DEVICES));

	let calm = false;
	const loops: Promise<void>[] = [];
	const scenarios: Scenario[] = [];

	/** The app's sync loop: passes with short pauses; some tabs die in the middle of one. */
	const syncLoop = async (device: SimDevice, rng: Rng) => {
		const crashAt = crashing.has(device)
			? [rng.int(1_000, 8_000), rng.int(9_000, 16_000)].map((ms) => began + ms)
			: [];
		while (!calm) {
			if (crashAt.length > 0 && Date.now() >= crashAt[0]!) {
				crashAt.shift();
				note(`${device.name}: app killed mid-sync, reopened`);
				await device.crashDuringSync(rng.int(0, 300));
				continue;
			}
			await device.sync();
			await sleep(rng.int(50, 400));
		}
	};

	/** One device's person: a morning offline, then the rest of the day under chaos. */
	const life = async (device: SimDevice) => {
		const rng = root.fork(`life-${device.index}`);
		const offline = rng.int(SCENARIOS.length + 2, 15);
		const ids: string[] = [];
		for (let n = 0; n < offline; n++) ids.push(await device.submit(n));
		loops.push(syncLoop(device, rng.fork('sync')));

		const picks = rng.shuffle(ids);
		const mine = SCENARIOS.map((kind, k) => ({ kind, device, applicationId: picks[k]! }));
		scenarios.push(...mine);
		const person = async (personRng: Rng) => {
			for (let n = offline; n < APPLICATIONS; n++) {
				await sleep(personRng.int(50, 550));
				await device.submit(n);
			}
		};
		await Promise.all([
			person(rng.fork('person')),
			...mine.map((s, k) => playScenario(s, reviewer, rng.fork(`scenario-${k}`), deadline))
		]);
	};

	/** The operator's bad day: two SIGKILLs, and a second server for a while. */
	const operator = async () => {
		const rng = root.fork('operator');
		await sleep(rng.int(1_500, 4_000));
		await kill(0);
		await sleep(rng.int(300, 1_500));
		await boot(0);

		await sleep(rng.int(500, 2_000));
		await boot(1);
		proxy.setUpstreams([ports[0], ports[1]]);
		// A balancer reload: every open connection is cut, and kept-alive connections no
		// longer pin the devices to A, so both servers take their share from here on.
		proxy.dropAll();
		note('two servers behind the proxy; every open connection dropped');
		await sleep(rng.int(1_000, 4_000));
		const victim = rng.chance(0.5) ? 0 : 1;
		await kill(victim);
		await sleep(rng.int(300, 1_500));
		await boot(victim);
		await sleep(rng.int(2_000, 5_000));

		// B leaves the gentle way: out of the balancer first, then SIGTERM.
		proxy.setUpstreams([ports[0]]);
		await slots[1]!.stop();
		note(`${slots[1]!.label} stopped; one server again`);
	};

	let loopsEnded: PromiseSettledResult<void>[] = [];
	try {
		for (const uploader of uploaders) loops.push(uploader.run(() => calm, deadline));
		// Settled, not all: on a failure nothing may still be running when cleanup starts.
		const ended = await Promise.allSettled([...devices.map((d) => life(d)), operator()]);
		for (const end of ended) if (end.status === 'rejected') throw end.reason;
		note('chaos over');
	} finally {
		calm = true;
		loopsEnded = await Promise.allSettled(loops);
		await faults.stop(faultsSql);
		note('database faults off');
	}
	// An uploader that failed must fail the run.
	for (const end of loopsEnded) if (end.status === 'rejected') throw end.reason;

	// Quiet: no faults, one server. First a few decisions commit late (late-commits.ts),
	// then no reviewer: every device syncs until it converged.
	proxy.setChaos(false);
	const settleBy = Date.now() + SETTLE_BUDGET_MS;
	const held = postgres(database.url, { max: 1, onnotice: () => {} });
	let late: number;
	try {
		late = await commitLate(
			held,
			root.fork('late').shuffle(devices).slice(0, LATE_COMMITS),
			reviewer,
			new Set(scenarios.map((s) => s.applicationId)),
			APPLICATIONS,
			settleBy
		);
	} finally {
		await held.end({ timeout: 5 });
	}
	note(`${late} decisions committed late`);
	await Promise.all(devices.map((device) => device.settle(settleBy)));
	note('every device settled');

	const sql = postgres(database.url, { max: 2, onnotice: () => {} });
	let problems: string[];
	try {
		problems = await checkPromises(sql, devices, reviewer.decisions, scenarios);
		problems.push(...(await checkUploads(sql, uploaders)));
		// Sessions outlive the run: one that ended was refused somewhere it should not be.
		for (const device of devices) {
			if (!(await device.signedIn())) problems.push(`${device.name} was signed out`);
		}
	} finally {
		await sql.end({ timeout: 5 });
	}
	for (const server of started.servers) {
		if (server.crashed) problems.push(`${server.label} exited on its own:\n${server.output()}`);
		if (server.errorLines > server.abortedLines) {
			problems.push(`${server.label} logged errors:\n${server.output()}`);
		}
	}

	const { stats } = proxy;
	const decided = (outcome: string) => reviewer.decisions.filter((d) => d.outcome === outcome);
	const total = (key: 'passes' | 'failedPasses' | 'restarts') =>
		devices.reduce((sum, device) => sum + device.stats[key], 0);
	console.log(
		[
			`chaos seed ${SEED}: ${clock()}, ${DEVICES} devices × ${APPLICATIONS} applications`,
			`  requests ${JSON.stringify(stats.requests)}`,
			`  connections ${stats.connections}, per server port ${JSON.stringify(stats.byUpstream)}`,
			`  faults ${proxy.faultCount} ${JSON.stringify(stats.faults)}; ` +
				`connections refused or dropped by a dead server ${stats.upstreamErrors}`,
			`  SIGKILL: ${kills.join(', ')}`,
			`  device sync passes ${total('passes')} (${total('failedPasses')} failed), ` +
				`app restarts ${total('restarts')} (dead-tab errors ${deadTabErrors})`,
			`  decisions ${reviewer.decisions.length}: applied ${decided('applied').length}, ` +
				`conflict ${decided('conflict').length}, closed ${decided('closed').length}; ` +
				`repeated after no answer ${reviewer.retries}`,
			`  decisions committed after their device pulled past them ${late}`,
			`  database backends terminated ${faults.total} ${JSON.stringify(faults.kills)}`,
			`  uploads: ${uploaders.map((u) => `${u.name} ${JSON.stringify({ ...u.stats, refused: u.stats.refused.length })}`).join('; ')}`,
			`  server 500s logged for requests cut mid-body: ` +
				started.servers.reduce((n, s) => n + s.abortedLines, 0),
			...timeline.map((line) => `  ${line}`)
		].join('\n')
	);
	expect(problems, `replay: ${REPLAY}`).toEqual([]);
	// A run in which the chaos did nothing would prove nothing.
	expect(proxy.faultCount).toBeGreaterThan(0);
	expect(Object.keys(stats.byUpstream)).toHaveLength(2);
	expect(kills).toHaveLength(2);
	expect(late).toBe(LATE_COMMITS);
	expect(faults.total).toBeGreaterThan(0);
	expect(uploaders.reduce((n, u) => n + u.stats.sent, 0)).toBeGreaterThan(0);
}

/**
 * Every file an uploader took for sent is recorded for its owner: else its application
 * would be refused file_missing for good. And no valid file was refused.
 */
async function checkUploads(sql: postgres.Sql, uploaders: Uploader[]): Promise<string[]> {
	const problems: string[] = [];
	for (const uploader of uploaders) {
		const rows = await sql<{ sha256: string }[]>`
			select f.sha256 from files f join devices d on d.owner_id = f.owner_id
			where d.id = ${uploader.identity.id}`;
		const recorded = new Set(rows.map((row) => row.sha256));
		for (const sha256 of uploader.sent) {
			if (!recorded.has(sha256)) {
				problems.push(`${uploader.name}: ${sha256} taken for sent but never recorded`);
			}
		}
		for (const refusal of uploader.stats.refused) {
			problems.push(`${uploader.name}: a valid file refused: ${refusal}`);
		}
	}
	return problems;
}
