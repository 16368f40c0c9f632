/**
 * What every browser test needs: the built server as its own process on a free port
 * with a fresh data directory, and real Chromium with a persistent profile (an
 * ordinary Playwright context is incognito, where service workers and installability
 * behave differently).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { openDatabase } from '../../sync-server/db/open';
import { applications } from '../../sync-server/db/schema';
import { freePort } from '../support/free-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = new URL('../../', import.meta.url).pathname;

/** The Chromium to drive: `CHROMIUM_PATH`, else Debian's. */
export function chromiumPath(): string {
	const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
	if (!existsSync(path)) {
		throw new Error(
			`Chromium not found at ${path}. Install it with \`apt-get install -y chromium\` ` +
				'or point CHROMIUM_PATH at a Chromium binary.'
		);
	}
	return path;
}

export interface RunningServer {
	url: string;
	port: number;
	dataDir: string;
	/**
	 * The last sign-in code the development sender logged for `maskedPhone` (as the app
	 * shows it: `+7 7•• ••• •• 78`); waits up to 10 s for it to appear.
	 */
	signInCode(maskedPhone: string): Promise<string>;
	/** Stops the process (SIGTERM, then SIGKILL) and waits until it has exited. */
	stop(): Promise<void>;
}

/** Codes the development sender logged, newest last, from the server's JSON log lines. */
function codesIn(output: string, maskedPhone: string): string[] {
	const codes: string[] = [];
	for (const line of output.split('\n')) {
		if (!line.includes('development sender: sign-in code')) continue;
		try {
			const entry = JSON.parse(line) as { phone?: string; code?: string };
			if (entry.phone === maskedPhone && entry.code) codes.push(entry.code);
		} catch {
			// The line's end has not arrived yet.
		}
	}
	return codes;
}

/**
 * Starts `sync-server/main.ts` serving the built app; resolves once it is healthy. Give
 * the `port` and `dataDir` of a stopped server to restart it: the same origin keeps the
 * browser's service worker and IndexedDB.
 */
/** A new embedded database directory: a copy of the one migrated at setup (database-template.ts). */
async function freshDatabase(): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), 'dala-e2e-'));
	await cp(inject('databaseTemplate'), dir, { recursive: true });
	return dir;
}

export async function startServer(
	options: {
		dataDir?: string;
		staticDir?: string;
		env?: Record<string, string>;
		port?: number;
	} = {}
): Promise<RunningServer> {
	if (!existsSync(join(options.staticDir ?? join(ROOT, 'build'), 'index.html'))) {
		throw new Error('The app is not built: run `npm run build` first (npm run test:e2e does).');
	}
	const dataDir = options.dataDir ?? (await freshDatabase());
	const port = options.port ?? (await freePort());
	const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
		cwd: ROOT,
		env: {
			...process.env,
			PORT: String(port),
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			DATABASE_URL: '',
			LOG_LEVEL: 'warn',
			...(options.staticDir ? { STATIC_DIR: options.staticDir } : {}),
			...options.env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	// Passed through as before, and kept: the development sender's codes are read from it.
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => {
		output += chunk.toString();
		process.stdout.write(chunk);
	});
	child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
		try {
			const response = await fetch(`${url}/api/health`);
			if (response.ok) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error('the server did not become healthy within 60 s');
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	return {
		url,
		port,
		dataDir,
		async signInCode(maskedPhone) {
			const until = Date.now() + 10_000;
			for (;;) {
				const code = codesIn(output, maskedPhone).at(-1);
				if (code) return code;
				if (Date.now() > until) throw new Error(`no sign-in code logged for ${maskedPhone}`);
				await new Promise((r) => setTimeout(r, 100));
			}
		},
		async stop() {
			if (child.exitCode === null) {
				child.kill('SIGTERM');
				const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
				await exited;
				clearTimeout(timer);
			}
		}
	};
}

export interface Browser {
	context: BrowserContext;
	page: Page;
	/** Content-Security-Policy violations seen so far in any page or worker of it. */
	violations: string[];
	close(): Promise<void>;
}

/**
 * Every browser open in this test file. The built app must break its CSP nowhere: after
 * each test, and when a browser closes, any violation seen fails the test.
 */
const openBrowsers = new Set<Browser>();

function failOnViolations(browser: Browser): void {
	const seen = browser.violations.splice(0);
	if (seen.length) throw new Error(`Content-Security-Policy violated:\n${seen.join('\n')}`);
}

afterEach(() => {
	for (const browser of openBrowsers) failOnViolations(browser);
});

/** Chromium reports each violation on the console of the page or worker it happened in. */
function isViolation(text: string): boolean {
	return /Content Security Policy/i.test(text);
}

/**
 * Reports violations from inside each page too (`securitypolicyviolation`), which names
 * the directive and the blocked thing even where the console words it differently.
 */
async function watchViolations(context: BrowserContext, violations: string[]): Promise<void> {
	context.on('console', (message) => {
		if (isViolation(message.text())) violations.push(message.text());
	});
	context.on('serviceworker', (worker) =>
		worker.on('console', (message) => {
			if (isViolation(message.text())) violations.push(`service worker: ${message.text()}`);
		})
	);
	await context.exposeBinding('__dalaCspViolation', (_source, text: string) => {
		violations.push(text);
	});
	await context.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (event) => {
			const report = (window as unknown as { __dalaCspViolation(text: string): void })
				.__dalaCspViolation;
			report(
				`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} ` +
					`(${event.sourceFile}:${event.lineNumber}) ${event.sample}`
			);
		});
	});
}

/**
 * Real Chromium with a fresh persistent profile, at the width of a cheap phone by default.
 * `injectsTestCode`: the test imports a module of its own into the page (a blob: URL the
 * app's CSP rightly refuses), so the CSP is not enforced in this browser; such a test
 * cannot speak for the CSP, which every other test checks.
 */
export async function launchBrowser(
	options: {
		width?: number;
		locale?: string;
		injectsTestCode?: boolean;
		/** More Chromium switches: a fake camera, say. */
		args?: string[];
	} = {}
): Promise<Browser> {
	const profile = await mkdtemp(join(tmpdir(), 'dala-profile-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: chromiumPath(),
		headless: true,
		viewport: { width: options.width ?? 360, height: 740 },
		locale: options.locale ?? 'en-US',
		bypassCSP: options.injectsTestCode ?? false,
		args: [
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			...(options.args ?? [])
		]
	});
	const violations: string[] = [];
	await watchViolations(context, violations);
	const page = context.pages()[0] ?? (await context.newPage());
	page.on('pageerror', (error) => console.error('page error:', error.message));
	const browser: Browser = {
		context,
		page,
		violations,
		async close() {
			openBrowsers.delete(browser);
			await context.close();
			await rm(profile, { recursive: true, force: true });
			failOnViolations(browser);
		}
	};
	openBrowsers.add(browser);
	return browser;
}

/** Opens the app and waits until its service worker controls the page (shell cached). */
export async function openControlled(page: Page, url: string): Promise<void> {
	await page.goto(url);
	await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
		timeout: 30_000
	});
}

/**
 * One built server and one browser for a test file: started before its tests, stopped
 * after. Read them inside tests (`app.server`, `app.browser`).
 */
export function useAppAndBrowser(
	options: {
		server?: Parameters<typeof startServer>[0];
		browser?: Parameters<typeof launchBrowser>[0];
		/**
		 * Run on the server's data directory before the server opens it (PGlite lets one
		 * process at a time have it): the admin CLI making staff, say.
		 */
		beforeServer?: (dataDir: string) => Promise<void>;
	} = {}
) {
	const app = {} as { server: RunningServer; browser: Browser };
	beforeAll(async () => {
		const dataDir = options.server?.dataDir ?? (await freshDatabase());
		await options.beforeServer?.(dataDir);
		app.server = await startServer({ ...options.server, dataDir });
		app.browser = await launchBrowser(options.browser);
	});
	afterAll(async () => {
		await app.browser?.close();
		await app.server?.stop();
	});
	return app;
}

/**
 * Stops the browser and the server, then reads the ids of the applications in its
 * database (PGlite lets one process at a time open it). The end of a test.
 */
export async function applicationsStored(app: {
	server: RunningServer;
	browser: Browser;
}): Promise<string[]> {
	await app.browser.close();
	await app.server.stop();
	const database = await openDatabase({ dataDir: app.server.dataDir });
	try {
		const rows = await database.db.select({ id: applications.id }).from(applications);
		return rows.map((row) => row.id);
	} finally {
		await database.close();
	}
}

/**
 * Resolves once `count` requests to /api/files have failed in `context`, counted from
 * now: the one a cut link killed, then a retry the uploader made while offline. The
 * state an upload is left in is then the state the failure left, not a guess at a delay.
 */
export function failedUploadRequests(
	context: BrowserContext,
	count: number,
	timeoutMs = 30_000
): Promise<void> {
	return new Promise((resolve, reject) => {
		let failed = 0;
		const timer = setTimeout(() => {
			context.off('requestfailed', seen);
			reject(new Error(`${failed} of ${count} upload requests failed within ${timeoutMs} ms`));
		}, timeoutMs);
		function seen(request: { url(): string }) {
			if (!request.url().includes('/api/files')) return;
			if (++failed < count) return;
			clearTimeout(timer);
			context.off('requestfailed', seen);
			resolve();
		}
		context.on('requestfailed', seen);
	});
}
