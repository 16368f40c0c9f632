import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		projects: [
			{
				test: {
					name: 'unit',
					include: ['tests/unit/**/*.test.ts'],
					environment: 'node'
				}
			},
			{
				test: {
					name: 'server',
					include: ['tests/server/**/*.test.ts'],
					environment: 'node',
					globalSetup: ['tests/server/postgres-setup.ts'],
					isolate: false,
					// Two at a time even on two cores: much of a suite is waiting on PostgreSQL.
					maxWorkers: 2,
					// PGlite takes a few seconds to start; PostgreSQL suites create a database.
					testTimeout: 30_000,
					hookTimeout: 60_000
				}
			},
			{
				test: {
					name: 'sim',
					include: ['tests/sim/**/*.test.ts'],
					environment: 'node',
					// Hundreds of seeded runs in one test; each seed takes a fraction of a second.
					testTimeout: 600_000,
					// Starting and migrating PGlite takes seconds, more on a busy machine.
					hookTimeout: 60_000
				}
			},
			{
				test: {
					name: 'chaos',
					include: ['tests/chaos/**/*.test.ts'],
					environment: 'node',
					// One run of server processes, a proxy and 20 devices; bounded well below this.
					testTimeout: 240_000,
					hookTimeout: 60_000
				}
			},
			{
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					environment: 'node',
					globalSetup: ['tests/e2e/database-template.ts'],
					testTimeout: 120_000,
					hookTimeout: 120_000,
					// One browser and one server at a time: two cores are all CI has.
					fileParallelism: false
				}
			}
		]
	}
});
