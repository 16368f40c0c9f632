/** What the figures were measured on: they mean little without it. */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

export interface Machine {
	cores: number;
	cpu: string;
	memoryGiB: number;
	node: string;
	postgres: string;
	date: string;
	/** The 1-minute load average when the run began: others' work skews every figure. */
	loadAverage: number;
}

function cpuModel(): string {
	try {
		const line = readFileSync('/proc/cpuinfo', 'utf8')
			.split('\n')
			.find((l) => l.startsWith('model name'));
		return line?.split(':')[1]?.trim() ?? 'unknown';
	} catch {
		return 'unknown';
	}
}

export function describeMachine(postgres: string): Machine {
	return {
		cores: availableParallelism(),
		cpu: cpuModel(),
		memoryGiB: Math.round(totalmem() / 2 ** 30),
		node: process.version,
		postgres,
		date: new Date().toISOString(),
		loadAverage: loadavg()[0] ?? 0
	};
}
