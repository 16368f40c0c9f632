/**
 * The sync server as production runs it: its own Node process (`sync-server/main.ts`)
 * on a real PostgreSQL, so SIGKILL really loses whatever was in memory and in flight,
 * and two processes really share one database. Each run gets a scratch database of its
 * own, created here and dropped with `WITH (FORCE)` at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const ROOT = new URL('../../', import.meta.url).pathname;
const STARTUP_MS = 60_000;
// Enough of a killed server's output to explain a failure, without keeping every line.
const KEEP_LINES = 200;

export interface ServerOptions {
	label: string;
	port: number;
	databaseUrl: string;
	env?: Record<string, string>;
}

/** One server process. `kill()` and `stop()` wait until it has exited. */
export class ServerProcess {
	readonly label: string;
	readonly port: number;
	readonly #child: ChildProcess;
	readonly #exited: Promise<void>;
	readonly #lines: string[] = [];
	#expectedExit = false;
	#hasExited = false;
	/** Log lines at level error: each is a 500 or worse that the run must explain. */
	errorLines = 0;
	/**
	 * Of those, the ones for a request whose client vanished mid-body (Node's "aborted"):
	 * nobody receives that 500, so it breaks no promise, but it is logged as a fault.
	 */
	abortedLines = 0;
	/** Sign-in codes the development sender logged, by masked phone, newest last. */
	readonly #codes = new Map<string, string[]>();

	private constructor(options: ServerOptions) {
		this.label = options.label;
		this.port = options.port;
		this.#child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
			cwd: ROOT,
			env: {
				...process.env,
				...options.env,
				PORT: String(options.port),
				HOST: '127.0.0.1',
				DATABASE_URL: options.databaseUrl,
				// Devices sign in with codes from the log: a test server, never a real one.
				DALA_INSECURE_DEV_ACCOUNTS: '1',
				LOG_LEVEL: 'warn',
				// API only: no built app needed, and none served.
				STATIC_DIR: '/nonexistent'
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		this.#exited = new Promise((resolve) =>
			this.#child.once('exit', () => {
				this.#hasExited = true;
				resolve();
			})
		);
		for (const stream of [this.#child.stdout, this.#child.stderr]) {
			stream?.setEncoding('utf8');
			// Whole lines only: a code's JSON line may come in two chunks.
			let partial = '';
			stream?.on('data', (text: string) => {
				const lines = (partial + text).split('\n');
				partial = lines.pop()!;
				for (const line of lines) this.#record(line);
			});
			stream?.on('end', () => this.#record(partial));
		}
	}

	/** Spawns the server and resolves once `/api/health` answers 200 directly (no proxy). */
	static async start(options: ServerOptions): Promise<ServerProcess> {
		const server = new ServerProcess(options);
		const deadline = Date.now() + STARTUP_MS;
		for (;;) {
			if (server.#hasExited) {
				throw new Error(`${server.label} exited while starting:\n${server.output()}`);
			}
			try {
				const response = await fetch(`http://127.0.0.1:${options.port}/api/health`);
				if (response.ok) return server;
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) {
				await server.kill();
				throw new Error(`${server.label} did not become healthy:\n${server.output()}`);
			}
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	get pid(): number | undefined {
		return this.#child.pid;
	}

	/** True when the process ended without the harness asking it to. */
	get crashed(): boolean {
		return this.#hasExited && !this.#expectedExit;
	}

	/** SIGKILL: no shutdown hook runs, open transactions die with their connections. */
	async kill(): Promise<void> {
		this.#expectedExit = true;
		if (!this.#hasExited) this.#child.kill('SIGKILL');
		await this.#exited;
	}

	/** SIGTERM: the graceful path (finish what is in flight, then close the pool). */
	async stop(): Promise<void> {
		this.#expectedExit = true;
		if (this.#hasExited) return;
		this.#child.kill('SIGTERM');
		const force = setTimeout(() => this.#child.kill('SIGKILL'), 15_000);
		await this.#exited;
		clearTimeout(force);
	}

	/**
	 * The newest sign-in code this server's development sender logged for `maskedPhone`
	 * (`+7 7•• ••• •• 78`, as the code request answers it); waits up to 10 s for the line.
	 */
	async signInCode(maskedPhone: string): Promise<string> {
		const until = Date.now() + 10_000;
		for (;;) {
			const code = this.#codes.get(maskedPhone)?.at(-1);
			if (code) return code;
			if (Date.now() > until) throw new Error(`${this.label} logged no code for ${maskedPhone}`);
			await new Promise((r) => setTimeout(r, 50));
		}
	}

	/** The last lines the process wrote. */
	output(): string {
		return this.#lines.join('\n');
	}

	#record(line: string): void {
		if (line.trim() === '') return;
		if (line.includes('development sender: sign-in code')) this.#recordCode(line);
		if (line.includes('"level":"error"')) {
			this.errorLines += 1;
			if (line.includes('"message":"aborted"')) this.abortedLines += 1;
		}
		this.#lines.push(`[${this.label}] ${line}`);
		if (this.#lines.length > KEEP_LINES) this.#lines.shift();
	}

	#recordCode(line: string): void {
		const { phone, code } = JSON.parse(line) as { phone: string; code: string };
		this.#codes.set(phone, [...(this.#codes.get(phone) ?? []), code]);
	}
}

export { freePort } from '../support/free-port';
export {
	canConnect,
	createScratchDatabase,
	type ScratchDatabase
} from '../support/scratch-database';
