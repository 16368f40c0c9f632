/**
 * The servers under test run as their own processes, as in production, each on a free
 * port on 127.0.0.1: the Dala sync server (sync-server/main.ts through tsx) and
 * pouchdb-server. Nothing here listens beyond loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(import.meta.dirname, '../..');

/** A port nobody listens on right now: bind to 0, read it, let go. */
export function freePort(): Promise<number> {
	return new Promise((done, fail) => {
		const probe = createServer();
		probe.once('error', fail);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			probe.close(() => done(port));
		});
	});
}

export interface Running {
	port: number;
	pid: number;
	/** The last few kilobytes the process wrote (its warnings and errors, at LOG_LEVEL=warn). */
	output(): string;
	/** Asks the process to stop and waits until it has. */
	stop(): Promise<void>;
}

/** Waits until `url` answers 200, or fails with the process's output after `timeoutMs`. */
async function waitUntilUp(
	url: string,
	child: ChildProcess,
	output: () => string,
	timeoutMs = 30_000
) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`${url}: process exited\n${output()}`);
		try {
			const response = await fetch(url);
			if (response.ok) return;
		} catch {
			// Not listening yet.
		}
		await sleep(100);
	}
	throw new Error(`${url} did not come up in ${timeoutMs} ms\n${output()}`);
}

/** Children still running, ended if the benchmark itself dies (a closed pipe, a throw). */
const children = new Set<ChildProcess>();
process.on('exit', () => {
	for (const child of children) child.kill('SIGKILL');
});

function start(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
	const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
	children.add(child);
	child.once('exit', () => children.delete(child));
	// Keep the tail of what it says, for the error message if it dies.
	let log = '';
	const keep = (chunk: Buffer) => {
		log = (log + chunk.toString()).slice(-4000);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		const exited = new Promise((done) => child.once('exit', done));
		child.kill('SIGTERM');
		const forced = setTimeout(() => child.kill('SIGKILL'), 15_000);
		await exited;
		clearTimeout(forced);
	};
	return { child, stop, output: () => log };
}

export interface SyncServer extends Running {
	/**
	 * The newest sign-in code the development sender logged for `maskedPhone` (as the code
	 * request answers it: `+7 7•• ••• •• 78`), not read before; waits up to 10 s for the
	 * line. Devices sign in one at a time: phones that mask alike would share the slot.
	 */
	signInCode(maskedPhone: string): Promise<string>;
}

/** Reads the development sender's codes from the server's JSON log lines, by masked phone. */
function codesFrom(child: ChildProcess): SyncServer['signInCode'] {
	const codes = new Map<string, string>();
	let partial = '';
	child.stdout?.on('data', (chunk: Buffer) => {
		const lines = (partial + chunk.toString()).split('\n');
		partial = lines.pop()!;
		for (const line of lines.filter((l) => l.includes('development sender: sign-in code'))) {
			const { phone, code } = JSON.parse(line) as { phone: string; code: string };
			codes.set(phone, code);
		}
	});
	return async (maskedPhone) => {
		const deadline = Date.now() + 10_000;
		for (;;) {
			const code = codes.get(maskedPhone);
			// Taken once: a later device whose phone masks alike must wait for its own.
			if (code && codes.delete(maskedPhone)) return code;
			if (Date.now() > deadline) throw new Error(`no sign-in code logged for ${maskedPhone}`);
			await sleep(20);
		}
	};
}

/**
 * The sync server as `npm run serve` starts it, but through `node --import tsx` rather
 * than the tsx launcher, so the process we measure (CPU, profile) is the server itself.
 */
export async function startSyncServer(
	databaseUrl: string,
	poolSize: number,
	/** More environment, applied last: the built app's STATIC_DIR and a DATA_DIR, say. */
	more: NodeJS.ProcessEnv = {}
): Promise<SyncServer> {
	const port = await freePort();
	const env = {
		...process.env,
		DATABASE_URL: databaseUrl,
		// Development sign-in adapters on PostgreSQL: a bench server, never a real one.
		DALA_INSECURE_DEV_ACCOUNTS: '1',
		DATABASE_POOL_SIZE: String(poolSize),
		HOST: '127.0.0.1',
		PORT: String(port),
		LOG_LEVEL: 'warn',
		// Capacity is measured, not the limits: one bench device pushes far more than a
		// phone's 60 a minute (limits.test.ts covers the limits themselves).
		RATE_LIMITS: 'off',
		// Sessions that outlast any run: what is measured is sync, not refreshing tokens.
		SESSION_ACCESS_SECONDS: '86400',
		// API only: the built app is not what is measured.
		STATIC_DIR: resolve(ROOT, 'tests/bench/no-static-dir'),
		...more
	};
	const args = [...(process.env.BENCH_SERVER_NODE_OPTIONS?.split(' ') ?? [])];
	const server = start(
		process.execPath,
		[...args, '--import', 'tsx', 'sync-server/main.ts'],
		env,
		ROOT
	);
	const signInCode = codesFrom(server.child);
	// A minute: on a busy machine PGlite alone can take half of one to open.
	await waitUntilUp(`http://127.0.0.1:${port}/api/health`, server.child, server.output, 60_000);
	return {
		port,
		pid: server.child.pid ?? 0,
		stop: server.stop,
		output: server.output,
		signInCode
	};
}

/** pouchdb-server on LevelDB in `dir` (its config and log go there too). */
export async function startPouchServer(dir: string): Promise<Running> {
	const port = await freePort();
	const bin = resolve(ROOT, 'node_modules/pouchdb-server/bin/pouchdb-server');
	const args = [bin, '--port', String(port), '--host', '127.0.0.1', '--dir', dir];
	args.push('--config', resolve(dir, 'config.json'), '--no-stdout-logs');
	const server = start(process.execPath, args, { ...process.env }, dir);
	await waitUntilUp(`http://127.0.0.1:${port}/`, server.child, server.output);
	return { port, pid: server.child.pid ?? 0, stop: server.stop, output: server.output };
}

// --- CPU accounting ---------------------------------------------------------------------

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
function cpuOf(pid: number): number {
	try {
		// Fields after the command name (which may contain spaces) start at state, field 3.
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
	} catch {
		return 0;
	}
}

/** CPU seconds of every PostgreSQL process on the machine (backends, WAL writer, …). */
function postgresCpu(): number {
	let total = 0;
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') {
				total += cpuOf(Number(entry));
			}
		} catch {
			// The process ended while we looked.
		}
	}
	return total;
}

/** CPU seconds the whole machine has spent busy (all cores), from /proc/stat. */
function machineBusy(): number {
	const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
	// cpu  user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
	const [, ...ticks] = line.trim().split(/\s+/).map(Number);
	const busy = ticks.reduce((total, t, i) => (i === 3 || i === 4 ? total : total + t), 0);
	return busy / TICKS_PER_SECOND;
}

export interface CpuSample {
	server: number;
	postgres: number;
	bench: number;
	machine: number;
	at: number;
}

/** Where the CPU went: the server process, PostgreSQL, and this process (the clients). */
export function sampleCpu(serverPid: number): CpuSample {
	const self = process.cpuUsage();
	return {
		server: cpuOf(serverPid),
		postgres: postgresCpu(),
		bench: (self.user + self.system) / 1e6,
		machine: machineBusy(),
		at: performance.now()
	};
}

/**
 * CPU used between two samples, in cores (1.00 = one core busy the whole time). `other`
 * is everything else the machine ran meanwhile: on a shared machine, the noise.
 */
export function cpuShare(before: CpuSample, after: CpuSample) {
	const wall = (after.at - before.at) / 1000;
	const server = (after.server - before.server) / wall;
	// A backend that exits between samples takes its count along; never report below 0.
	const postgres = Math.max(0, (after.postgres - before.postgres) / wall);
	const bench = (after.bench - before.bench) / wall;
	const machine = (after.machine - before.machine) / wall;
	return { server, postgres, bench, other: Math.max(0, machine - server - postgres - bench) };
}
