/**
 * Ingest through the real push endpoint: devices push the applications in batches of 100,
 * each device one batch at a time (promise 3 makes a device's pushes sequential), the
 * devices side by side. Bodies are built and gzipped before the clock starts: devices do
 * that on their own processors, so it is no cost of the server's. Each is signed as it is
 * sent, as the app signs: a signature made ahead would be stale in a run longer than the
 * server's freshness window (5 minutes), and each nonce is served once.
 */
import { fromAnotherApplicant, type TypedApplication } from './documents';
import { Device, pushResults, type PreparedPush } from './device';
import type { HttpResponse } from './http';
import { cpuShare, sampleCpu, type SyncServer } from './processes';
import { medianRun, ROUNDS } from './stats';
import { wireBetween, wireTo, type WireCount } from './wire';

export const BATCH = 100;

export interface IngestResult {
	applications: number;
	seconds: number;
	concurrency: number;
	requests: number;
	/** JSON of the mutations as pushed, before gzip. */
	rawBytes: number;
	wire: WireCount;
	cpu: ReturnType<typeof cpuShare>;
	/** What the rules made of the timed rounds' applications, all rounds together. */
	decided?: Census;
}

/** Applications stored, how many of them a rule approved, documents issued. */
export interface Census {
	applications: number;
	approved: number;
	documents: number;
}

interface Plan {
	device: Device;
	pushes: PreparedPush[];
}

/**
 * Each plan's applicants are new people (documents.ts, `fromAnotherApplicant`): the same
 * answers pushed again as new applications would otherwise be second registrations of the
 * same IINs, which the rule sends to a reviewer, so only the first round would issue.
 */
let generation = 0;

/** Splits the applications evenly over the devices and builds each device's pushes. */
function plan(devices: Device[], sameAnswers: readonly TypedApplication[]): Plan[] {
	generation++;
	const applications = sameAnswers.map((a) => fromAnotherApplicant(a, generation));
	const share = Math.ceil(applications.length / devices.length);
	return devices.map((device, d) => {
		const mine = applications.slice(d * share, (d + 1) * share);
		const pushes: PreparedPush[] = [];
		for (let i = 0; i < mine.length; i += BATCH) {
			pushes.push(device.preparePush(device.submissions(mine.slice(i, i + BATCH))));
		}
		return { device, pushes };
	});
}

/** Runs every device's pushes, one after another per device, all devices at once. */
async function run(plans: readonly Plan[]): Promise<HttpResponse[]> {
	const responses = await Promise.all(
		plans.map(async ({ device, pushes }) => {
			const mine: HttpResponse[] = [];
			for (const push of pushes) mine.push(await device.sendPush(push));
			return mine;
		})
	);
	return responses.flat();
}

/** Every answer must be 200 with every mutation applied; anything else stops the run. */
function expectAllApplied(responses: readonly HttpResponse[], expected: number): void {
	let applied = 0;
	for (const response of responses) {
		for (const result of pushResults(response)) {
			if (result.status !== 'applied') {
				throw new Error(`push answered ${JSON.stringify(result).slice(0, 300)}`);
			}
			applied++;
		}
	}
	if (applied !== expected) throw new Error(`${applied} of ${expected} applications applied`);
}

/**
 * Pushes `applications` from `concurrency` new devices, after `warmup` untimed, and measures
 * applications per second, bytes on the wire and where the CPU went: three rounds of the
 * same answers as new applications, the median reported.
 */
export async function ingest(
	server: SyncServer,
	applications: readonly TypedApplication[],
	warmup: readonly TypedApplication[],
	concurrency: number,
	/** Counts what the database holds, read between rounds (never while one is timed). */
	census?: () => Promise<Census>
): Promise<IngestResult> {
	const { port } = server;
	const devices = await Promise.all(Array.from({ length: concurrency }, () => Device.create(port)));
	try {
		for (const device of devices) {
			await device.register();
			await device.signIn(server);
		}
		const warm = plan(devices, warmup);
		expectAllApplied(await run(warm), warmup.length);

		const before = await census?.();
		const rounds: IngestResult[] = [];
		for (let round = 0; round < ROUNDS; round++) {
			const timed = plan(devices, applications);
			const rawBytes = timed.flatMap((p) => p.pushes).reduce((total, p) => total + p.rawBytes, 0);
			const wireBefore = wireTo(port);
			const cpuBefore = sampleCpu(server.pid);
			const start = performance.now();
			const responses = await run(timed);
			const seconds = (performance.now() - start) / 1000;
			const cpu = cpuShare(cpuBefore, sampleCpu(server.pid));
			const wire = wireBetween(wireBefore, wireTo(port));
			expectAllApplied(responses, applications.length);
			rounds.push({
				applications: applications.length,
				seconds,
				concurrency,
				requests: responses.length,
				rawBytes,
				wire,
				cpu
			});
		}
		const after = await census?.();
		const decided =
			before && after
				? {
						applications: after.applications - before.applications,
						approved: after.approved - before.approved,
						documents: after.documents - before.documents
					}
				: undefined;
		return { ...medianRun(rounds), decided };
	} finally {
		for (const device of devices) device.close();
	}
}
