/**
 * The admin CLI (sync-server/accounts/admin-cli.ts) as an administrator runs it: a process
 * of its own, on PGlite under a DATA_DIR and on PostgreSQL when there is one. It prints a
 * set-password link that names the account it made, refuses a region or role that does not
 * exist (exit 2, writing nothing, saying what would do), verifies the audit chain, and
 * refuses a PGlite directory a server has open: PGlite does not lock it, and what a second
 * process writes there is silently lost.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REGION_CODES } from '../../shared/services/region';
import { hashOf } from '../../sync-server/accounts/tokens';
import { openDatabase, type Database } from '../../sync-server/db/open';
import { accounts, auditLog, setPasswordLinks } from '../../sync-server/db/schema';
import { createLogger } from '../../sync-server/http/log';
import { createScratchDatabase } from '../support/scratch-database';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LINK_BASE = 'https://dala.example';
// A process of its own: tsx compiles the CLI at start, and PGlite starts and migrates.
const SPAWN_TIMEOUT = 120_000;

interface Run {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs `npm run admin -- …args` with `env` over this process's environment. */
function admin(env: Record<string, string>, ...args: string[]): Promise<Run> {
	const child = spawn(
		process.execPath,
		['--import', 'tsx', 'sync-server/accounts/admin-cli.ts', ...args],
		{
			cwd: ROOT,
			env: { ...process.env, SET_PASSWORD_BASE_URL: LINK_BASE, LOG_LEVEL: 'error', ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		}
	);
	const run: Run = { code: null, stdout: '', stderr: '' };
	child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
	return new Promise((resolve, reject) => {
		child.once('error', reject);
		child.once('close', (code) => resolve({ ...run, code }));
	});
}

/** Where the CLI works, and a way to look at what it wrote once it has exited. */
interface Target {
	env: Record<string, string>;
	/** Opens the database (never while the CLI runs: PGlite has one process), runs `look`, closes. */
	inspect<T>(look: (db: Database) => Promise<T>): Promise<T>;
	tearDown(): Promise<void>;
}

const log = createLogger({ level: 'silent' });

async function inspectWith<T>(
	options: Parameters<typeof openDatabase>[0],
	look: (db: Database) => Promise<T>
): Promise<T> {
	const opened = await openDatabase({ ...options, poolSize: 1, log });
	try {
		return await look(opened.db);
	} finally {
		await opened.close();
	}
}

const targets: { name: string; setUp(): Promise<Target> }[] = [
	{
		name: 'PGlite',
		async setUp() {
			const dir = await mkdtemp(join(tmpdir(), 'dala-admin-'));
			return {
				env: { DATA_DIR: dir, DATABASE_URL: '' },
				inspect: (look) => inspectWith({ dataDir: dir }, look),
				tearDown: () => rm(dir, { recursive: true, force: true })
			};
		}
	}
];
const postgresUrl = inject('postgresUrl');
if (postgresUrl) {
	targets.push({
		name: 'PostgreSQL',
		async setUp() {
			const scratch = await createScratchDatabase(
				postgresUrl,
				`dala_admin_${crypto.randomUUID().replaceAll('-', '')}`
			);
			return {
				env: { DATABASE_URL: scratch.url },
				inspect: (look) => inspectWith({ url: scratch.url }, look),
				tearDown: () => scratch.drop()
			};
		}
	});
}

describe.each(targets)('the admin CLI on $name', ({ setUp }) => {
	let target: Target;
	beforeAll(async () => {
		target = await setUp();
	});
	afterAll(() => target?.tearDown());

	const staffCount = () => target.inspect((db) => db.$count(accounts));

	it(
		'creates a staff account and prints the one-time link that sets its password',
		async () => {
			const run = await admin(
				target.env,
				'create-staff',
				'--role',
				'reviewer',
				'--region',
				'turkistan',
				'--name',
				'Aigerim Seitkali',
				'--login',
				'reviewer.turkistan'
			);
			expect(run.code, run.stderr).toBe(0);
			expect(run.stdout).toContain('Created reviewer reviewer.turkistan (turkistan).');
			const link = new RegExp(`^${LINK_BASE}/staff/set-password#(ds_[A-Za-z0-9_-]{43})$`, 'm');
			const token = link.exec(run.stdout)?.[1];
			expect(token, run.stdout).toBeDefined();

			const [account, links] = await target.inspect(async (db) => [
				await db.select().from(accounts).where(eq(accounts.login, 'reviewer.turkistan')),
				await db
					.select()
					.from(setPasswordLinks)
					.where(eq(setPasswordLinks.tokenHash, hashOf(token!)))
			]);
			expect(account).toEqual([
				expect.objectContaining({
					role: 'reviewer',
					region: 'turkistan',
					name: 'Aigerim Seitkali',
					passwordHash: null
				})
			]);
			// The printed token is the account's link, and it is still unused.
			expect(links).toEqual([expect.objectContaining({ accountId: account[0]!.id, usedAt: null })]);
		},
		SPAWN_TIMEOUT
	);

	it(
		'makes a reviewer of the national queue',
		async () => {
			const run = await admin(
				target.env,
				'create-staff',
				'--role=reviewer',
				'--region=national',
				'--name=Nurlan Abenov'
			);
			expect(run.code, run.stderr).toBe(0);
			expect(run.stdout).toMatch(/^Created reviewer reviewer-[0-9a-f]{6} \(national\)\.$/m);
		},
		SPAWN_TIMEOUT
	);

	it(
		'refuses a region or role that does not exist, with exit 2, saying which would do',
		async () => {
			const before = await staffCount();
			const staff = (role: string, region?: string) => [
				'create-staff',
				`--role=${role}`,
				...(region === undefined ? [] : [`--region=${region}`]),
				'--name=Someone'
			];

			// An old-style code, as the first tests used: not a REGIONS code.
			const region = await admin(target.env, ...staff('reviewer', 'ALA'));
			expect(region.code).toBe(2);
			expect(region.stderr).toContain(
				`--region must be one of ${[...REGION_CODES, 'national'].join(', ')}`
			);

			const missing = await admin(target.env, ...staff('officer'));
			expect(missing.code).toBe(2);
			expect(missing.stderr).toContain('--region is required');

			const role = await admin(target.env, ...staff('king', 'almaty'));
			expect(role.code).toBe(2);
			expect(role.stderr).toContain('--role must be one of officer, reviewer, administrator');

			const command = await admin(target.env, 'create-staf');
			expect(command.code).toBe(2);
			expect(command.stderr).toContain('usage: npm run admin -- create-staff');

			for (const run of [region, missing, role, command]) expect(run.stdout).toBe('');
			expect(await staffCount()).toBe(before);
		},
		SPAWN_TIMEOUT
	);

	it(
		'verifies the audit chain the creations wrote',
		async () => {
			const rows = await target.inspect((db) => db.$count(auditLog));
			expect(rows).toBeGreaterThan(0);
			const run = await admin(target.env, 'verify-audit');
			expect(run.code, run.stderr).toBe(0);
			expect(run.stdout.trim()).toBe(`audit log intact: ${rows} rows`);
		},
		SPAWN_TIMEOUT
	);
});

describe('the admin CLI on a PGlite directory another process has open', () => {
	let dir: string;
	beforeAll(async () => {
		dir = await mkdtemp(join(tmpdir(), 'dala-admin-held-'));
	});
	afterAll(() => rm(dir, { recursive: true, force: true }));

	it(
		'refuses with exit 2 until it is closed, then works',
		async () => {
			const env = { DATA_DIR: dir, DATABASE_URL: '' };
			const create = ['create-staff', '--role=officer', '--region=almaty', '--name=Held'];
			// The server's own way of opening it.
			const server = await openDatabase({ dataDir: dir, log });
			const mark = join(dir, 'pglite', 'postmaster.pid');
			try {
				expect(existsSync(mark)).toBe(true);
				const refused = await admin(env, ...create);
				expect(refused.code).toBe(2);
				expect(refused.stderr).toContain('is open in another process: stop the server first');
				expect(refused.stdout).toBe('');
				expect(await server.db.$count(accounts)).toBe(0);
			} finally {
				await server.close();
			}
			expect(existsSync(mark)).toBe(false);

			const made = await admin(env, ...create);
			expect(made.code, made.stderr).toBe(0);
			expect(made.stdout).toContain('(almaty)');
			expect(await inspectWith({ dataDir: dir }, (db) => db.$count(accounts))).toBe(1);
		},
		SPAWN_TIMEOUT
	);
});
