/**
 * `npm run bench:office`: the reviewer's queue with 100,000 applications in the database.
 * Seeds them by bulk SQL (every region and the national queue, the four services, most
 * decided and some waiting, received over a year, owned by 20,000 citizens with valid
 * IINs), then times inside the Hono app (`app.request`, no socket) what a reviewer does
 * most: the first page of the queue, a search by IIN and by reference, one application's
 * page. 20 of each, signed as the app signs them; the signing is not timed. Writes the
 * figures with the machine into docs/benchmarks.md and ends with one summary line.
 *
 * Environment: BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test; a scratch
 * database is made there and dropped; `pglite` for PGlite in memory), BENCH_APPLICATIONS
 * (100000), BENCH_NO_WRITE=1 to leave docs/benchmarks.md alone.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import prettier from 'prettier';
import { NATIONAL_REGION } from '../../shared/accounts';
import {
	deviceIdOf,
	generateDeviceKey,
	newNonce,
	signRequest
} from '../../shared/device-signature';
import { iinCheckDigit } from '../../shared/iin';
import { Header, PROTOCOL_VERSION } from '../../shared/protocol';
import { REGIONS } from '../../shared/services/address';
import { openSession } from '../../sync-server/accounts/sessions';
import { createStaff } from '../../sync-server/accounts/staff';
import { createApp } from '../../sync-server/app';
import { openDatabase, type Database } from '../../sync-server/db/open';
import { devices } from '../../sync-server/db/schema';
import { createLogger } from '../../sync-server/http/log';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';
import { describeMachine, type Machine } from './machine';
import { ROOT } from './processes';
import { postgresVersion } from './scratch-database';
import { ms, percentile } from './stats';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PGLITE = ADMIN_URL === 'pglite';
const APPLICATIONS = Number(process.env.BENCH_APPLICATIONS ?? 100_000);
const CITIZENS = Math.max(1, Math.round(APPLICATIONS / 5));
const RUNS = 20;
const TARGET_MS = 200;
const DOCS = resolve(ROOT, 'docs/benchmarks.md');
const START = '<!-- bench:office:start -->';
const END = '<!-- bench:office:end -->';

/** The regional services, and the one that asks for no region (the national queue). */
const REGIONAL = ['individual-entrepreneur', 'birth-registration', 'trade-outlet-permit'];
const SERVICE_VERSION: Record<string, number> = {
	'individual-entrepreneur': 2,
	'birth-registration': 1,
	'trade-outlet-permit': 1,
	'simplified-tax-declaration': 1
};

const step = (text: string) => console.log(`… ${text}`);

/** `n` valid IINs (the shared check digit), all different: a birth date, then a serial. */
function iins(n: number): string[] {
	const out: string[] = [];
	const pad = (value: number, width: number) => String(value).padStart(width, '0');
	for (let i = 0; out.length < n; i++) {
		const date = `${80 + (i % 20)}${pad(1 + (Math.floor(i / 20) % 12), 2)}${pad(1 + (Math.floor(i / 240) % 28), 2)}`;
		const first11 = `${date}3${pad(Math.floor(i / 6720), 4)}`;
		const check = iinCheckDigit(first11);
		if (check !== null) out.push(`${first11}${check}`);
	}
	return out;
}

/**
 * The whole corpus in a few statements. Statuses by a hash of the row number: 70 %
 * approved, 12 % rejected, 8 % received, 5 % in review, 5 % more information; decided
 * ones received any time in the past year and decided 1 to 240 hours later, waiting ones
 * received in the last 30 days. Every application has its `received` history row and a
 * decided one its `decided` row, as a push and a decision write them.
 */
async function seed(db: Database): Promise<void> {
	const people = iins(CITIZENS);
	await db.execute(sql`
		insert into accounts (role, iin, owner_id)
		select 'citizen', iin, 'bench-owner-' || n
		from jsonb_array_elements_text(${JSON.stringify(people)}::jsonb) with ordinality as t(iin, n)`);
	const regions = REGIONS.map((r) => r.value);
	await db.execute(sql`
		create temporary table bench_rows as
		select g,
			case when g % 4 = 3 then 'simplified-tax-declaration'
				else ${JSON.stringify(REGIONAL)}::jsonb ->> (g % 4)::int end as service_id,
			case when g % 4 = 3 then null
				else ${JSON.stringify(regions)}::jsonb ->> ((g / 4) % ${regions.length})::int end as region,
			case when h < 70 then 'approved' when h < 82 then 'rejected' when h < 90 then 'received'
				when h < 95 then 'in_review' else 'more_information' end as status,
			h
		from (select g, abs(hashtext(g::text)) % 100 as h
			from generate_series(1, ${APPLICATIONS}) as g) as s`);
	await db.execute(sql`
		create temporary table bench_apps as
		select g, service_id, region, status,
			-- A UUIDv7 from the time received and the row number, as a device makes one.
			(lpad(to_hex((extract(epoch from created_at) * 1000)::bigint), 12, '0') || '7'
				|| substr(md5(g::text), 1, 3) || '8' || substr(md5(g::text), 4, 15))::uuid as id,
			created_at,
			created_at + (1 + abs(hashtext('d' || g)) % 240) * interval '1 hour' as decided_at
		from (select *, now() - case when status in ('approved', 'rejected')
				then (30 + abs(hashtext('c' || g)) % (335 * 24 * 60)) * interval '1 minute'
				else (1 + abs(hashtext('c' || g)) % (30 * 24 * 60)) * interval '1 minute' end
				as created_at
			from bench_rows) as r`);
	await db.execute(sql`
		insert into applications (id, owner_id, device_id, mutation_id, service_id,
			service_version, answers, status, reference, version, region, reason,
			requested_fields, request_message, created_at, updated_at)
		select id, 'bench-owner-' || (g % ${CITIZENS} + 1), 'bench-device-' || (g % ${CITIZENS} + 1),
			gen_random_uuid(), service_id,
			(${JSON.stringify(SERVICE_VERSION)}::jsonb ->> service_id)::int,
			jsonb_build_object('fullName', 'Bench applicant ' || g, 'phone', '+7701' || lpad(g::text, 7, '0')),
			status, 'DL-2026-' || lpad(g::text, 6, '0'),
			case when status in ('received') then 1 else 2 end,
			region,
			case when status = 'rejected' then 'Not this district.' end,
			case when status = 'more_information' then '["fullName"]'::jsonb end,
			case when status = 'more_information' then 'Please check your name.' end,
			created_at,
			case when status in ('approved', 'rejected') then decided_at else created_at end
		from bench_apps`);
	await db.execute(sql`
		insert into application_history (application_id, kind, from_status, to_status, at)
		select id, 'received', null, 'received', created_at from bench_apps
		union all
		select id, 'decided', 'received', status, decided_at from bench_apps
			where status in ('approved', 'rejected', 'in_review', 'more_information')`);
	if (!PGLITE) await db.execute(sql`vacuum analyze`);
	else await db.execute(sql`analyze`);
}

interface Signer {
	id: string;
	privateKey: CryptoKey;
	accessToken: string;
}

/** A reviewer of `region`, made as the admin CLI makes one, signed in on a device of theirs. */
async function reviewer(db: Database, region: string): Promise<Signer> {
	const { privateKey, publicKey } = await generateDeviceKey();
	const id = await deviceIdOf(publicKey);
	await db.insert(devices).values({ id, publicKey });
	const { accountId } = await createStaff(db, { role: 'reviewer', region, name: 'Bench' });
	const { accessToken } = await db.transaction((tx) => openSession(tx, accountId, id));
	return { id, privateKey, accessToken };
}

async function signed(signer: Signer, path: string): Promise<RequestInit> {
	const time = String(Date.now());
	const nonce = newNonce();
	const signature = await signRequest(signer.privateKey, {
		method: 'GET',
		pathAndQuery: path,
		body: undefined,
		time,
		nonce
	});
	return {
		method: 'GET',
		headers: {
			[Header.protocol]: String(PROTOCOL_VERSION),
			[Header.device]: signer.id,
			[Header.time]: time,
			[Header.nonce]: nonce,
			[Header.signature]: signature,
			Authorization: `Bearer ${signer.accessToken}`
		}
	};
}

interface Figure {
	name: string;
	p50: number;
	p95: number;
}

/** `RUNS` timed requests for paths from `pathOf(i)`: the answer read whole, 200 or thrown. */
async function timed(
	app: ReturnType<typeof createApp>,
	signer: Signer,
	name: string,
	pathOf: (i: number) => string
): Promise<Figure> {
	// Two untimed, so the first figure is not the cost of a cold plan cache.
	for (let i = 0; i < 2; i++)
		await (await app.request(pathOf(i), await signed(signer, pathOf(i)))).text();
	const times: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const path = pathOf(i);
		const init = await signed(signer, path);
		const began = performance.now();
		const res = await app.request(path, init);
		const body = await res.text();
		times.push(performance.now() - began);
		if (res.status !== 200) throw new Error(`${name}: ${path} answered ${res.status}: ${body}`);
	}
	return { name, p50: percentile(times, 50), p95: percentile(times, 95) };
}

function section(figures: Figure[], machine: Machine, regionSizes: string): string {
	return [
		`Measured ${machine.date.slice(0, 10)} on ${machine.cores} cores (${machine.cpu}), ` +
			`${machine.memoryGiB} GiB, Node ${machine.node}, ${PGLITE ? 'PGlite' : `PostgreSQL ${machine.postgres}`}, ` +
			`load average ${machine.loadAverage.toFixed(2)} at the start, code ${machine.code}. ` +
			`${APPLICATIONS.toLocaleString('en-US')} applications; ${regionSizes}.`,
		'',
		'| request | median ms | p95 ms |',
		'| --- | ---: | ---: |',
		...figures.map((f) => `| ${f.name} | ${ms(f.p50)} | ${ms(f.p95)} |`)
	].join('\n');
}

async function writeSection(text: string): Promise<void> {
	let current = readFileSync(DOCS, 'utf8');
	if (!current.includes(START)) {
		current +=
			'\n## The office queue\n\n' +
			[
				'`npm run bench:office` (`tests/bench/office.ts`, a couple of minutes) seeds 100,000',
				'applications by bulk SQL into a scratch database: every region and the national queue,',
				'the four services, 70 % approved, 12 % rejected and 18 % waiting (received, in review,',
				'more information), received over a year, owned by 20,000 citizens. It then times 20',
				'requests of each kind inside the Hono app (`app.request`, no socket; the signing not',
				'timed), as a signed-in reviewer: the first page of the queue (with its counts by status',
				'and service) of a region and of the national queue, the largest; a search by IIN and by',
				'reference; one application’s page with its history. Target: 200 ms each.'
			].join('\n') +
			'\n\n' +
			`${START}\n${END}\n`;
	}
	const start = current.indexOf(START);
	const end = current.indexOf(END);
	if (end < start) throw new Error(`${DOCS} has lost its bench:office markers`);
	const updated =
		current.slice(0, start + START.length) + '\n\n' + text + '\n\n' + current.slice(end);
	const options = (await prettier.resolveConfig(DOCS)) ?? {};
	writeFileSync(DOCS, await prettier.format(updated, { ...options, filepath: DOCS }));
}

async function main(): Promise<void> {
	const machine = describeMachine(
		PGLITE ? 'not used (PGlite)' : await postgresVersion(ADMIN_URL),
		ROOT
	);
	let scratch: ScratchDatabase | undefined;
	if (!PGLITE) {
		scratch = await createScratchDatabase(
			ADMIN_URL,
			`dala_bench_office_${randomUUID().replaceAll('-', '').slice(0, 12)}`
		);
	}
	const log = createLogger({ level: 'warn' });
	const database = await openDatabase(
		scratch ? { url: scratch.url, log } : { dataDir: 'memory://', log }
	);
	try {
		const { db } = database;
		step(`seeding ${APPLICATIONS} applications (${PGLITE ? 'PGlite' : scratch!.name})`);
		const began = performance.now();
		await seed(db);
		step(`seeded in ${((performance.now() - began) / 1000).toFixed(1)} s`);

		const region = 'almaty';
		const [regional, national] = [await reviewer(db, region), await reviewer(db, NATIONAL_REGION)];
		const app = createApp({ db, log });
		// Applications of the region to search for and open: spread over the corpus.
		const { rows } = (await db.execute(sql`
			select a.reference, a.id, c.iin from applications a
			join accounts c on c.owner_id = a.owner_id
			where a.region = ${region} order by a.reference limit ${RUNS + 2}`)) as unknown as {
			rows: { reference: string; id: string; iin: string }[];
		};
		const sample = (i: number) => rows[i % rows.length]!;
		const sizes = (await db.execute(sql`
			select count(*) filter (where region = ${region})::int as regional,
				count(*) filter (where region is null)::int as national from applications`)) as unknown as {
			rows: { regional: number; national: number }[];
		};
		const size = sizes.rows[0]!;

		const figures = [
			await timed(app, regional, `queue, first page (${region})`, () => '/api/office/applications'),
			await timed(app, national, 'queue, first page (national)', () => '/api/office/applications'),
			await timed(
				app,
				regional,
				'search by IIN',
				(i) => `/api/office/applications?q=${sample(i).iin}`
			),
			await timed(
				app,
				regional,
				'search by reference',
				(i) => `/api/office/applications?q=${sample(i).reference}`
			),
			await timed(
				app,
				regional,
				'one application',
				(i) => `/api/office/applications/${sample(i).id}`
			)
		];
		const [queueA, queueN, byIin, byReference, page] = figures as [
			Figure,
			Figure,
			Figure,
			Figure,
			Figure
		];
		const text = section(
			figures,
			machine,
			`${size.regional.toLocaleString('en-US')} in ${region}, ${size.national.toLocaleString('en-US')} in the national queue`
		);
		console.log(text);
		if (process.env.BENCH_NO_WRITE !== '1') await writeSection(text);
		const queueMs = Math.max(queueA.p95, queueN.p95);
		const searchMs = Math.max(byIin.p95, byReference.p95);
		const worst = Math.max(queueMs, searchMs, page.p95);
		if (worst > TARGET_MS) console.log(`target missed: ${ms(worst)} ms > ${TARGET_MS} ms`);
		console.log(
			`bench:office queue_ms=${ms(queueMs)} search_ms=${ms(searchMs)} page_ms=${ms(page.p95)}`
		);
	} finally {
		await database.close();
		await scratch?.drop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
