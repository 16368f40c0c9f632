import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ServerBusy } from '../http/errors';

/**
 * Argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): 80–150 ms
 * here, on one core. hash-wasm is WebAssembly, so there is no native build to break on a
 * new Node or platform (docs/decisions.md). The PHC string keeps its parameters, so
 * raising them later still verifies old hashes.
 */
const PARAMETERS = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 } as const;

/** Password hashing as the staff routes use it. */
export interface Passwords {
	hash(password: string): Promise<string>;
	/** True when `password` matches `hash`; a malformed stored hash matches nothing. */
	verify(password: string, hash: string): Promise<boolean>;
	/**
	 * A hash of no password, verified against when the login is unknown, so an unknown
	 * login takes as long to refuse as a wrong password and logins cannot be enumerated.
	 */
	decoy(): Promise<string>;
}

export interface PasswordPoolOptions {
	/** Threads hashing at once; one leaves the other core of a small machine to requests. */
	workers?: number;
	/** Hashes waiting for a thread; one more is refused (ServerBusy: 503, Retry-After). */
	maxQueued?: number;
}

// The worker is CommonJS evaluated from this string, so it loads the same way under
// tsx, vitest and plain node; it is given hash-wasm's resolved path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { argon2id, argon2Verify } = require(workerData.hashWasm);
parentPort.on('message', (job) => {
	const work = job.op === 'hash'
		? argon2id({ password: job.password, salt: job.salt, ...job.parameters, outputType: 'encoded' })
		: argon2Verify({ password: job.password, hash: job.hash });
	work.then(
		(result) => parentPort.postMessage({ result }),
		(error) => parentPort.postMessage({ error: String((error && error.message) || error) })
	);
});`;

type Job =
	| { op: 'hash'; password: string; salt: Uint8Array; parameters: typeof PARAMETERS }
	| { op: 'verify'; password: string; hash: string };

interface Queued {
	job: Job;
	resolve: (result: unknown) => void;
	reject: (error: Error) => void;
}

/**
 * Argon2 on worker threads, never on the event loop: one hash takes ~100 ms of CPU, and on
 * the event loop every request in flight would wait for it (a device sending set-password
 * requests raised an honest push's median from 12 ms to 455 ms). The queue is bounded, so
 * a flood is refused at once rather than waiting minutes. Threads start on first use and
 * never keep the process alive.
 */
export function passwordPool({ workers = 1, maxQueued = 16 }: PasswordPoolOptions = {}): Passwords {
	const hashWasm = createRequire(import.meta.url).resolve('hash-wasm');
	const idle: Worker[] = [];
	const running = new Map<Worker, Queued>();
	let started = 0;
	const queue: Queued[] = [];

	function start(): Worker {
		const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { hashWasm } });
		worker.unref();
		started++;
		worker.on('message', (message: { result?: unknown; error?: string }) => {
			const done = running.get(worker);
			running.delete(worker);
			idle.push(worker);
			if (message.error !== undefined) done?.reject(new Error(message.error));
			else done?.resolve(message.result);
			next();
		});
		worker.on('error', (error) => {
			// A thread that died takes its job with it; the next job starts a new one.
			running.get(worker)?.reject(error);
			running.delete(worker);
			started--;
			next();
		});
		return worker;
	}

	function next(): void {
		while (queue.length > 0 && (idle.length > 0 || started < workers)) {
			const worker = idle.pop() ?? start();
			const queued = queue.shift()!;
			running.set(worker, queued);
			worker.postMessage(queued.job);
		}
	}

	function run(job: Job): Promise<unknown> {
		if (queue.length >= maxQueued) return Promise.reject(new ServerBusy());
		return new Promise((resolve, reject) => {
			queue.push({ job, resolve, reject });
			next();
		});
	}

	let decoy: Promise<string> | undefined;
	const passwords: Passwords = {
		hash: async (password) =>
			String(await run({ op: 'hash', password, salt: randomBytes(16), parameters: PARAMETERS })),
		async verify(password, hash) {
			try {
				return (await run({ op: 'verify', password, hash })) === true;
			} catch (error) {
				if (error instanceof ServerBusy) throw error;
				return false;
			}
		},
		decoy() {
			decoy ??= passwords.hash(randomBytes(16).toString('hex'));
			// A failed decoy is not kept: the next unknown login makes another.
			decoy.catch(() => (decoy = undefined));
			return decoy;
		}
	};
	return passwords;
}
