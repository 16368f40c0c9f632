/** What the figures were measured on, and which code: they mean little without it. */
import { execFileSync } from 'node:child_process';
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
	/** The commit measured, and any uncommitted change to the code under test. */
	code: string;
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

/** `abc1234`, or `abc1234 + uncommitted changes in …` when the server's code differs. */
function codeVersion(root: string): string {
	// Not trimmed: a porcelain line starts with a space when only the work tree changed.
	const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
	try {
		const commit = git('rev-parse', '--short', 'HEAD').trim();
		const dirty = git('status', '--porcelain', '--', 'sync-server', 'shared')
			.split('\n')
			.filter(Boolean)
			.map((line) => line.slice(3));
		return dirty.length ? `${commit} + uncommitted changes in ${dirty.join(', ')}` : commit;
	} catch {
		return 'unknown (not a git checkout)';
	}
}

export function describeMachine(postgres: string, root: string): Machine {
	return {
		cores: availableParallelism(),
		cpu: cpuModel(),
		memoryGiB: Math.round(totalmem() / 2 ** 30),
		node: process.version,
		postgres,
		date: new Date().toISOString(),
		loadAverage: loadavg()[0] ?? 0,
		code: codeVersion(root)
	};
}
