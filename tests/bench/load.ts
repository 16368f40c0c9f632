/**
 * Under load: many devices syncing at once for a fixed time. Each device loops: push a
 * batch of new applications (built, gzipped and signed as it goes, like the app), then
 * pull until it is current. Bounded in time, loopback only; every error is counted.
 */
import type { TypedApplication } from './documents';
import { Device, pushResults } from './device';
import { cpuShare, sampleCpu, type SyncServer } from './processes';
import { percentile } from './stats';

export interface LoadResult {
	devices: number;
	seconds: number;
	batch: number;
	pushes: number;
	pulls: number;
	applications: number;
	errors: number;
	firstError?: string;
	push: { p50: number; p99: number };
	pull: { p50: number; p99: number };
	cpu: ReturnType<typeof cpuShare>;
}

export async function underLoad(
	server: SyncServer,
	deviceCount: number,
	seconds: number,
	batch: number,
	applicationFor: (index: number) => TypedApplication
): Promise<LoadResult> {
	const devices = await Promise.all(
		Array.from({ length: deviceCount }, () => Device.create(server.port))
	);
	await Promise.all(devices.map((device) => device.register()));
	for (const device of devices) await device.signIn(server);
	const pushMs: number[] = [];
	const pullMs: number[] = [];
	let applications = 0;
	let errors = 0;
	let firstError: string | undefined;
	let nextApplication = 0;

	const cpuBefore = sampleCpu(server.pid);
	const start = performance.now();
	const deadline = start + seconds * 1000;
	await Promise.all(
		devices.map(async (device) => {
			let cursor: string | undefined;
			while (performance.now() < deadline) {
				try {
					const batchOf = Array.from({ length: batch }, () => applicationFor(nextApplication++));
					const push = device.preparePush(device.submissions(batchOf));
					const response = await device.sendPush(push);
					pushMs.push(response.ms);
					const results = pushResults(response);
					const applied = results.filter((r) => r.status === 'applied').length;
					if (applied !== batch) throw new Error(`${applied} of ${batch} applied`);
					applications += applied;
					for (;;) {
						const { response: pulled, page } = await device.pull(cursor);
						pullMs.push(pulled.ms);
						cursor = page.cursor;
						if (!page.hasMore) break;
					}
				} catch (error) {
					errors++;
					firstError ??= error instanceof Error ? error.message : String(error);
				}
			}
		})
	);
	const elapsed = (performance.now() - start) / 1000;
	const cpu = cpuShare(cpuBefore, sampleCpu(server.pid));
	for (const device of devices) device.close();
	return {
		devices: deviceCount,
		seconds: elapsed,
		batch,
		pushes: pushMs.length,
		pulls: pullMs.length,
		applications,
		errors,
		firstError,
		push: { p50: percentile(pushMs, 50), p99: percentile(pushMs, 99) },
		pull: { p50: percentile(pullMs, 50), p99: percentile(pullMs, 99) },
		cpu
	};
}
