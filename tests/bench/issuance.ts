/**
 * `npx tsx tests/bench/issuance.ts`: what issuing documents on the push costs (issue 23).
 *
 * 1. Signing, per document: the work `signDocuments` (sync-server/documents/issue.ts) does
 *    for each document — claims encoded (CBOR), COSE_Sign1 signed with ES256 (WebCrypto),
 *    zlib, base45 — each stage timed on its own, one document at a time, then the whole of
 *    it for a batch's documents at once as `signDocuments` runs them (`Promise.all`).
 * 2. On the push: `applyPush` (no HTTP) of one device's batches of 100 bench applications,
 *    three variants interleaved batch by batch in one process, so the machine's load hits
 *    all alike: the same answers with the bundled catalogue (the rules decide about half and
 *    sign their documents in the transaction), with rules that run but approve nothing (the
 *    applicants' locks and the read of open registrations, no signing, no document row), and
 *    with a catalogue where the same services are decided by people (no rule at all).
 *    Nothing is stubbed: only the catalogue handed to `applyPush` differs. Each batch
 *    is from new applicants (documents.ts, `fromAnotherApplicant`), so no registration is a
 *    second one.
 *
 * Environment: BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test; a scratch
 * database is made there and dropped; `pglite` for PGlite in memory), BENCH_BATCHES (40 per
 * variant, after 5 untimed), BENCH_SIGNS (2000 documents signed one at a time).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { sql } from 'drizzle-orm';
import { deflateSync } from 'node:zlib';
import { v7 as uuidv7 } from 'uuid';
import { documentAnswers, encodeClaims } from '../../shared/documents/claims';
import { base45 } from '../../shared/documents/base45';
import { deflate, KEY_ID_BYTES, SIGNING_ALGORITHM, signCose } from '../../shared/documents/cose';
import { signCode } from '../../shared/documents/code';
import { templateOf } from '../../shared/documents/templates';
import type { Mutation } from '../../shared/protocol';
import { SERVICES } from '../../shared/services/catalog';
import type { ServiceDefinition } from '../../shared/services/definition';
import { bundledCatalogue, createCatalogue } from '../../sync-server/catalogue/catalogue';
import { openDatabase, type Database } from '../../sync-server/db/open';
import { devices } from '../../sync-server/db/schema';
import { documentKeyStore, type SigningKey } from '../../sync-server/documents/signing-keys';
import { applyPush } from '../../sync-server/sync/push';
import { createScratchDatabase } from '../support/scratch-database';
import {
	application,
	asQueued,
	fromAnotherApplicant,
	leftToPerson,
	type TypedApplication
} from './documents';
import { describeMachine } from './machine';
import { ROOT } from './processes';
import { postgresVersion } from './scratch-database';
import { percentile } from './stats';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PGLITE = ADMIN_URL === 'pglite';
const BATCHES = Number(process.env.BENCH_BATCHES ?? 40);
const WARMUP_BATCHES = 5;
const SIGNS = Number(process.env.BENCH_SIGNS ?? 2000);
const BATCH = 100;

const median = (values: readonly number[]) => percentile(values, 50);
const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

/** What a rule approves: the documents signed on the push. */
function approvedSamples(count: number) {
	const out: { service: ServiceDefinition; answers: ReturnType<typeof asQueued> }[] = [];
	for (let i = 0; out.length < count; i++) {
		const a = application(i);
		if (!leftToPerson(a)) out.push({ service: a.service, answers: asQueued(a) });
	}
	return out;
}

async function signingKey(): Promise<SigningKey> {
	const pair = await crypto.subtle.generateKey(SIGNING_ALGORITHM, false, ['sign', 'verify']);
	const keyId = new Uint8Array(randomBytes(KEY_ID_BYTES));
	return { id: Buffer.from(keyId).toString('base64url'), keyId, privateKey: pair.privateKey };
}

/** Part 1: the signing work per document, stage by stage and as a batch. */
async function signing() {
	const key = await signingKey();
	const samples = approvedSamples(SIGNS);
	const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
	const claimsOf = (s: (typeof samples)[number], serial: number) =>
		encodeClaims({
			serial,
			serviceId: s.service.id,
			serviceVersion: s.service.version,
			authority: templateOf(s.service.id)!.authority,
			issuedAt,
			answers: documentAnswers(s.service, s.answers)
		});
	// Warm every path first.
	for (const [i, s] of samples.slice(0, 200).entries()) await signCode(claimsOf(s, i + 1), key);

	const stages = { claims: [] as number[], sign: [] as number[], deflate: [] as number[] };
	const base45ms: number[] = [];
	const zlibSync: number[] = [];
	const whole: number[] = [];
	const sizes = { claims: 0, cose: 0, deflated: 0, code: 0 };
	let sameBytes = 0;
	for (const [i, s] of samples.entries()) {
		const t0 = performance.now();
		const payload = claimsOf(s, 1_000_000 + i);
		const t1 = performance.now();
		const cose = await signCose(payload, key);
		const t2 = performance.now();
		const compressed = await deflate(cose);
		const t3 = performance.now();
		const code = base45.encode(compressed);
		const t4 = performance.now();
		const viaZlib = deflateSync(cose);
		const t5 = performance.now();
		if (Buffer.compare(viaZlib, compressed) === 0) sameBytes++;
		stages.claims.push(t1 - t0);
		stages.sign.push(t2 - t1);
		stages.deflate.push(t3 - t2);
		base45ms.push(t4 - t3);
		zlibSync.push(t5 - t4);
		whole.push(t4 - t0);
		sizes.claims += payload.length;
		sizes.cose += cose.length;
		sizes.deflated += compressed.length;
		sizes.code += code.length + 4;
	}
	// As signDocuments runs them: every document of a batch at once.
	const perBatch = 50;
	const batched: number[] = [];
	for (let from = 0; from + perBatch <= samples.length; from += perBatch) {
		const t0 = performance.now();
		await Promise.all(
			samples.slice(from, from + perBatch).map((s, i) => signCode(claimsOf(s, from + i), key))
		);
		batched.push((performance.now() - t0) / perBatch);
	}
	// Diagnostic, not the server's code: the same batches with node:zlib's deflateSync in
	// place of CompressionStream (issue.ts and code.ts are left as they are).
	const batchedZlib: number[] = [];
	for (let from = 0; from + perBatch <= samples.length; from += perBatch) {
		const t0 = performance.now();
		await Promise.all(
			samples
				.slice(from, from + perBatch)
				.map(async (s, i) => base45.encode(deflateSync(await signCose(claimsOf(s, from + i), key))))
		);
		batchedZlib.push((performance.now() - t0) / perBatch);
	}
	const n = samples.length;
	return {
		sameBytes,
		batchedZlibPerDocument: median(batchedZlib),
		documents: n,
		claims: median(stages.claims),
		sign: median(stages.sign),
		deflate: median(stages.deflate),
		base45: median(base45ms),
		whole: median(whole),
		wholeP90: percentile(whole, 90),
		zlibSync: median(zlibSync),
		batchedPerDocument: median(batched),
		batches: batched.length,
		bytes: {
			claims: sizes.claims / n,
			cose: sizes.cose / n,
			deflated: sizes.deflated / n,
			code: sizes.code / n
		}
	};
}

/** The same services, decided by people: no rule, no lock, no document. */
const byPeople = createCatalogue(
	SERVICES.map((s): ServiceDefinition =>
		s.processing.kind === 'automatic' ? { ...s, processing: { kind: 'review' } } : s
	)
);

/**
 * The rules run (the applicants' locks, the read of open registrations) but approve none:
 * no activity is low-risk, declarations go to people. Tells the lock from the signing.
 */
const rulesApproveNone = createCatalogue(
	SERVICES.map((s): ServiceDefinition => {
		const p = s.processing;
		if (p.kind !== 'automatic') return s;
		return p.rule === 'lowRiskNotification'
			? { ...s, processing: { ...p, lowRisk: [] } }
			: { ...s, processing: { kind: 'review' } };
	})
);

interface Variant {
	name: string;
	catalogue: typeof bundledCatalogue;
	deviceId: string;
	seq: number;
	ms: number[];
	applied: number;
}

let generation = 0;

function mutationsFor(applications: readonly TypedApplication[], variant: Variant): Mutation[] {
	generation++;
	return applications.map((a) => {
		const fresh = fromAnotherApplicant(a, generation);
		return {
			id: uuidv7(),
			seq: ++variant.seq,
			type: 'application.submit',
			applicationId: uuidv7(),
			serviceId: fresh.service.id,
			serviceVersion: fresh.service.version,
			answers: asQueued(fresh)
		};
	});
}

async function push(
	db: Database,
	variant: Variant,
	batch: Mutation[],
	keys: ReturnType<typeof documentKeyStore>
) {
	const start = performance.now();
	const results = await applyPush(db, variant.deviceId, batch, variant.catalogue, {
		documents: keys
	});
	const ms = performance.now() - start;
	for (const r of results) if (r.status !== 'applied') throw new Error(`push: ${r.status}`);
	variant.applied += results.length;
	return ms;
}

/** Part 2: applyPush with and without the rules, interleaved batch by batch. */
async function onThePush(db: Database) {
	const keys = documentKeyStore(db, new Uint8Array(randomBytes(32)));
	await keys.current();
	const variants: Variant[] = [
		{ name: 'rules decide (bundled catalogue)', catalogue: bundledCatalogue },
		{ name: 'rules run, approve none (locks, no document)', catalogue: rulesApproveNone },
		{ name: 'decided by people (same answers)', catalogue: byPeople }
	].map((v) => ({ ...v, deviceId: `bench-issuance-${randomUUID()}`, seq: 0, ms: [], applied: 0 }));
	for (const v of variants) {
		await db.insert(devices).values({
			id: v.deviceId,
			publicKey: { kty: 'EC', crv: 'P-256', x: 'bench', y: 'bench' }
		});
	}
	const corpus = Array.from({ length: (BATCHES + WARMUP_BATCHES) * BATCH }, (_, i) =>
		application(i)
	);
	const docsBefore = await countDocuments(db);
	for (let b = 0; b < BATCHES + WARMUP_BATCHES; b++) {
		const applications = corpus.slice(b * BATCH, (b + 1) * BATCH);
		// Rotate which variant goes first, so none always follows another.
		const order = variants.map((_, i) => variants[(i + b) % variants.length]!);
		for (const v of order) {
			const batch = mutationsFor(applications, v);
			const ms = await push(db, v, batch, keys);
			if (b >= WARMUP_BATCHES) v.ms.push(ms);
		}
	}
	const documents = (await countDocuments(db)) - docsBefore;
	return { variants, documents, timedBatches: BATCHES, warmupBatches: WARMUP_BATCHES };
}

async function countDocuments(db: Database): Promise<number> {
	const result = await db.execute(sql`select count(*)::int as n from documents`);
	const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
		n: number;
	}[];
	return Number(rows[0]!.n);
}

async function main() {
	console.log(
		`… load average at start: ${loadavg()
			.map((l) => l.toFixed(2))
			.join(' ')}`
	);
	const machine = describeMachine(PGLITE ? 'PGlite' : await postgresVersion(ADMIN_URL), ROOT);
	console.log(`… signing ${SIGNS} documents one at a time, then in batches of 50`);
	const s = await signing();
	console.log(
		`signing per document (median of ${s.documents}): claims ${us(s.claims)}, ES256 sign ${us(s.sign)}, ` +
			`deflate (CompressionStream) ${us(s.deflate)}, base45 ${us(s.base45)}; whole ${us(s.whole)} ` +
			`(p90 ${us(s.wholeP90)}); zlib deflateSync of the same bytes ${us(s.zlibSync)}; ` +
			`50 at once (Promise.all, as signDocuments): ${us(s.batchedPerDocument)} per document ` +
			`(median of ${s.batches} batches); the same with deflateSync in place of ` +
			`CompressionStream (diagnostic): ${us(s.batchedZlibPerDocument)}; deflateSync gave ` +
			`the same bytes for ${s.sameBytes} of ${s.documents}`
	);
	console.log(
		`sizes: claims ${s.bytes.claims.toFixed(0)} B, COSE ${s.bytes.cose.toFixed(0)} B, ` +
			`deflated ${s.bytes.deflated.toFixed(0)} B, code ${s.bytes.code.toFixed(0)} chars`
	);

	const scratch = PGLITE
		? undefined
		: await createScratchDatabase(
				ADMIN_URL,
				`dala_issuance_${randomUUID().replaceAll('-', '').slice(0, 12)}`
			);
	const opened = await openDatabase(
		scratch ? { url: scratch.url, poolSize: 2 } : { dataDir: 'memory://' }
	);
	try {
		console.log(
			`… applyPush on ${opened.kind}, ${BATCHES} batches of ${BATCH} per variant, interleaved`
		);
		const p = await onThePush(opened.db);
		const [rules, , people] = p.variants as [Variant, Variant, Variant];
		const perBatch = p.documents / (p.timedBatches + p.warmupBatches);
		const a = median(rules.ms);
		const b = median(people.ms);
		for (const v of p.variants) {
			console.log(
				`${v.name}: median ${v.ms.length ? median(v.ms).toFixed(1) : '-'} ms per batch of ${BATCH} ` +
					`(p10 ${percentile(v.ms, 10).toFixed(1)}, p90 ${percentile(v.ms, 90).toFixed(1)})`
			);
		}
		console.log(
			`documents issued: ${p.documents} in ${p.timedBatches + p.warmupBatches} batches ` +
				`(${perBatch.toFixed(1)} per batch of ${BATCH}); issuance costs ${(a - b).toFixed(1)} ms per batch ` +
				`(${(((a - b) / b) * 100).toFixed(0)} %), ${us((a - b) / perBatch)} per document; ` +
				`applyPush ${((BATCH / a) * 1000).toFixed(0)} vs ${((BATCH / b) * 1000).toFixed(0)} apps/s on one connection`
		);
		console.log(
			`machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.postgres}, ` +
				`${new Date().toISOString()}, load average at end ${loadavg()
					.map((l) => l.toFixed(2))
					.join(' ')}`
		);
	} finally {
		await opened.close();
		await scratch?.drop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
