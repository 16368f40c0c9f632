/**
 * Global setup of the server suites: which PostgreSQL they run on besides PGlite.
 * TEST_DATABASE_URL when set (CI: unreachable is then a failure, not a skip); else the local
 * one when it answers at once, so a plain `npm run test:server` on a machine with
 * PostgreSQL runs the concurrency tests too. When there is none, it says so, and names
 * the tests that need one, instead of letting them skip unnoticed.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { canConnect } from '../support/scratch-database';

declare module 'vitest' {
	export interface ProvidedContext {
		/** The admin URL the PostgreSQL suites make their databases through, or null. */
		postgresUrl: string | null;
	}
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/test';
const SUITES = new URL('./', import.meta.url);

export default async function setup(project: TestProject) {
	const configured = process.env.TEST_DATABASE_URL;
	const url = configured || ((await canConnect(LOCAL_URL, 1)) ? LOCAL_URL : null);
	project.provide('postgresUrl', url);
	if (url) return;
	console.warn(
		[
			'server: NO POSTGRESQL. TEST_DATABASE_URL is not set and nothing answered at',
			`${LOCAL_URL} within 1 s. Only PGlite ran; skipped, because they need`,
			'transactions that overlap on several connections (PGlite has one):',
			...(await postgresOnlyTests()).map((name) => `  - ${name}`),
			'  - the PostgreSQL run of every other suite',
			'Start PostgreSQL (pg_ctlcluster 15 main start) or set TEST_DATABASE_URL.'
		].join('\n')
	);
}

/** The titles of the tests and suites marked to run on PostgreSQL only, file by file. */
async function postgresOnlyTests(): Promise<string[]> {
	const marked =
		/(?:it\.skipIf\(backend\.kind === 'pglite'\)|describe\.skipIf\(!\w+\))\(\s*'([^']+)'/g;
	const names: string[] = [];
	for (const file of (await readdir(SUITES)).filter((f) => f.endsWith('.test.ts')).sort()) {
		const source = await readFile(new URL(file, SUITES), 'utf8');
		for (const [, title] of source.matchAll(marked)) names.push(`${file}: ${title}`);
	}
	return names;
}
