/**
 * Global setup of the browser suites: one embedded database, migrated once, that every
 * server the suites start begins as a copy of. A fresh PGlite directory costs ~3 s of
 * migrations at each start, and the suites start about twenty-five servers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../sync-server/db/open';
import { createLogger } from '../../sync-server/http/log';

declare module 'vitest' {
	export interface ProvidedContext {
		/** A migrated, empty, closed PGlite directory to copy (harness.ts `startServer`). */
		databaseTemplate: string;
	}
}

export default async function setup(project: TestProject) {
	const dir = await mkdtemp(join(tmpdir(), 'dala-e2e-template-'));
	const opened = await openDatabase({ dataDir: dir, log: createLogger({ level: 'silent' }) });
	await opened.close();
	project.provide('databaseTemplate', dir);
	return () => rm(dir, { recursive: true, force: true });
}
