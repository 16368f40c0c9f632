/**
 * `npm run bench:upload`: bytes on the wire for a photo taken on the device, after the
 * device made it small, uploaded whole and uploaded with the link cut half-way. Real
 * Chromium prepares and uploads it (app/lib/files, bundled as the e2e test does), the
 * sync server stores it, and a TCP proxy between them counts every byte both ways,
 * request lines and headers included. Prints the figures and the machine, and rewrites
 * the bench:upload section of docs/benchmarks.md (BENCH_NO_WRITE=1 leaves it alone).
 *
 * The target (issue 4): at most 1.02× the stored file, where PouchDB's base64 sends 1.33×.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import * as prettier from 'prettier';
import { TARGET_PHOTO_BYTES, UPLOAD_CHUNK_BYTES } from '../../shared/files';
import { bundleFilesModule } from '../e2e/files/bundle';
import {
	askSignInCode,
	cameraPhoto,
	confirmSignIn,
	importScript,
	prepareAndStore,
	startUpload,
	type InPage
} from '../e2e/files/in-page';
import { countingProxy, type CountingProxy } from '../support/counting-proxy';
import { withCheckDigit } from '../support/service-answers';
import { describeMachine } from './machine';
import { ROOT, startSyncServer } from './processes';

const TARGET = 1.02;
// Sensor noise and a camera's JPEG quality that make the photo about 1 MB, as a cheap
// phone's is. (Without noise, two seeds would make the same bytes, and the second upload
// would be skipped as already stored.)
const PHOTO = { noise: 1, quality: 0.8 };
// 2G-like towards the server for the cut run, so the cut lands inside the upload.
const SLOW_BYTES_PER_SECOND = 40_000;
const DOCS = resolve(ROOT, 'docs/benchmarks.md');
const START = '<!-- bench:upload results start: written by `npm run bench:upload` -->';
const END = '<!-- bench:upload results end -->';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Run {
	photo: { original: number; size: number; width: number; height: number; quality: number };
	up: number;
	down: number;
	requests: string[];
}

/** Makes a photo with `seed`, prepares it, uploads it; cuts the link at half when `cut`. */
async function run(page: Page, proxy: CountingProxy, seed: number, cut: boolean): Promise<Run> {
	const original = await page.evaluate(cameraPhoto, { seed, ...PHOTO });
	const prepared = await page.evaluate(prepareAndStore);
	proxy.reset();
	proxy.setRate(cut ? SLOW_BYTES_PER_SECOND : 0);
	await page.evaluate(startUpload);
	if (cut) {
		const deadline = Date.now() + 60_000;
		while (proxy.sent < prepared.size / 2) {
			if (Date.now() > deadline) throw new Error(`the upload stalled at ${proxy.sent} bytes`);
			await sleep(10);
		}
		// The link drops: the PATCH in flight dies, and nothing gets through until it is back.
		proxy.setLinkDown(true);
		await page.context().setOffline(true);
		await sleep(2000);
		proxy.setLinkDown(false);
		await page.context().setOffline(false);
	}
	await page.waitForFunction(() => (globalThis as unknown as InPage).result, undefined, {
		timeout: 120_000
	});
	const result = await page.evaluate(() => {
		const g = globalThis as unknown as InPage;
		const state = g.result;
		delete g.result;
		return state;
	});
	if (result !== 'uploaded') throw new Error(`the upload ended ${result}`);
	return {
		photo: { original: original.size, size: prepared.size, ...prepared.image },
		up: proxy.sent,
		down: proxy.received,
		requests: proxy.requests.filter((r) => r.includes('/api/files')).map((r) => r.split(' ')[0]!)
	};
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ratio = (r: Run) => (r.up + r.down) / r.photo.size;

function section(whole: Run, resumed: Run, machine: ReturnType<typeof describeMachine>) {
	const row = (name: string, r: Run) =>
		`| ${name} | ${kb(r.photo.size)} | ${r.up} | ${r.down} | ${((r.up + r.down) / r.photo.size).toFixed(3)}× | ${r.requests.join(', ')} |`;
	return [
		`Measured ${machine.date} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), ` +
			`Node ${machine.node}, code ${machine.code}; load average ${machine.loadAverage.toFixed(2)}.`,
		'',
		`The photo: ${kb(whole.photo.original)} JPEG, 3000×4000, as a camera makes it → ` +
			`${kb(whole.photo.size)}, ${whole.photo.width}×${whole.photo.height} at quality ` +
			`${whole.photo.quality} (target ${kb(TARGET_PHOTO_BYTES)}); chunks of ${kb(UPLOAD_CHUNK_BYTES)}.`,
		'',
		'| upload | file | bytes up | bytes down | on the wire ÷ file | tus requests |',
		'| --- | --- | --- | --- | --- | --- |',
		row('whole', whole),
		row('cut at half, resumed', resumed),
		'',
		`Target: ≤ ${TARGET}× the stored file (PouchDB: 1.33×, base64).`
	].join('\n');
}

async function writeSection(text: string): Promise<void> {
	let current = readFileSync(DOCS, 'utf8');
	if (!current.includes(START)) {
		current +=
			'\n## bench:upload\n\n' +
			[
				'`npm run bench:upload` (about half a minute; `tests/bench/upload.ts`) has real Chromium',
				'take a camera-sized photo (a 3000×4000 JPEG of printed text with sensor noise and an',
				'EXIF segment), make it small with `app/lib/files/prepare.ts` and upload it over tus to',
				'the sync server through a TCP proxy that counts every byte both ways: request lines,',
				'headers, bodies and responses. Once whole; once with the link slowed to 40 KB/s and',
				'dropped (every connection broken, Chromium offline) for 2 s when half the file has',
				'reached the server.'
			].join('\n') +
			'\n\n' +
			`${START}\n${END}\n`;
	}
	const start = current.indexOf(START);
	const end = current.indexOf(END);
	if (end < start) throw new Error(`${DOCS} has lost its bench:upload markers`);
	const updated =
		current.slice(0, start + START.length) + '\n\n' + text + '\n\n' + current.slice(end);
	const options = (await prettier.resolveConfig(DOCS)) ?? {};
	writeFileSync(DOCS, await prettier.format(updated, { ...options, filepath: DOCS }));
}

async function main(): Promise<void> {
	const dataDir = await mkdtemp(join(tmpdir(), 'dala-bench-upload-'));
	process.env.DATA_DIR = dataDir;
	const server = await startSyncServer('', 1);
	const proxy = await countingProxy(server.port);
	const profile = await mkdtemp(join(tmpdir(), 'dala-bench-profile-'));
	const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
	if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}`);
	const context = await chromium.launchPersistentContext(profile, {
		executablePath,
		headless: true,
		// The module under test is imported from a blob: URL, which the CSP the server sends on
		// every answer rightly refuses (as e2e's `injectsTestCode` browsers, harness.ts).
		bypassCSP: true,
		args: ['--disable-gpu', '--no-first-run', '--disable-background-networking']
	});
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		// Any page of the server's origin will do: the module talks to location.origin.
		await page.goto(`${proxy.url}/api/health`);
		// tsx compiles this script with esbuild's keepNames, which wraps functions passed to
		// page.evaluate in a `__name` helper that exists only in Node.
		await page.evaluate('globalThis.__name = (fn) => fn');
		await page.evaluate(importScript(await bundleFilesModule()));
		// Protocol 3: uploads carry a signed-in person's session. Signed in before the proxy
		// counts, as the app's person would be before anything is sent.
		const person = { iin: withCheckDigit('8502154'), phone: '+77015554490' };
		const masked = await page.evaluate(askSignInCode, person);
		await page.evaluate(confirmSignIn, await server.signInCode(masked));
		const whole = await run(page, proxy, 11, false);
		const resumed = await run(page, proxy, 12, true);
		const machine = describeMachine('not used (PGlite)', ROOT);
		const text = section(whole, resumed, machine);
		console.log(text);
		if (!process.env.BENCH_NO_WRITE) await writeSection(text);
		console.log(
			`bench:upload photo=${whole.photo.size}B whole=${ratio(whole).toFixed(3)} ` +
				`resumed=${ratio(resumed).toFixed(3)} target=${TARGET}`
		);
	} finally {
		await context.close();
		await proxy.close();
		await server.stop();
		await rm(profile, { recursive: true, force: true });
		await rm(dataDir, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
