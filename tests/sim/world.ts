import 'fake-indexeddb/auto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { createApp } from '../../sync-server/app';
import type { Database } from '../../sync-server/db/open';
import { applications, devices, files, sessions } from '../../sync-server/db/schema';
import { directoryStore, type UploadStore } from '../../sync-server/files/store';
import { DEFAULT_LIMITS, DEFAULT_RATE_RULES, type Limits } from '../../sync-server/http/limits';
import { createLogger } from '../../sync-server/http/log';
import { decide } from '../support/decide';
import { invalidAnswers, permitAnswers, randomPerson, validAnswers, type Person } from './answers';
import { SimDevice, type Queued } from './device';
import { FaultyNetwork, type Handler } from './network';
import { Random } from './random';

const silent = createLogger({ level: 'silent' });

// One directory of uploaded bytes for the whole run: the database says which are whose.
let uploads: UploadStore | undefined;
const uploadStore = () =>
	(uploads ??= directoryStore(join(tmpdir(), `dala-sim-files-${process.pid}`)));

/**
 * Empties the central database between seeds; PGlite takes seconds to start, this does not.
 * The audit log stays: its trigger refuses truncation, and no check reads it.
 */
export async function resetDatabase(db: Database): Promise<void> {
	await db.execute(sql`truncate applications, documents, mutations, devices, files,
		request_nonces, rate_limits, unfinished_uploads, device_sightings,
		accounts, sessions, sign_in_codes, set_password_links`);
	await db.execute(sql`alter sequence application_reference_seq restart`);
	await db.execute(sql`alter sequence application_feed_seq restart`);
	await db.execute(sql`alter sequence document_serial_seq restart`);
}

/**
 * The sign-in limits are left out (a rule left out is not applied): a person on the faulty
 * network asks for many codes (each lost answer costs one), and counting them costs every
 * sign-in its own writes. The run is about sync; the server suite tests the limits.
 */
const SIGN_IN_RULES = new Set([
	'codeDevice',
	'codeAddress',
	'codePhoneDevice',
	'codePhone',
	'confirmDevice',
	'confirmAddress'
]);
const LIMITS: Limits = {
	...DEFAULT_LIMITS,
	rates: Object.fromEntries(
		Object.entries(DEFAULT_RATE_RULES).filter(([name]) => !SIGN_IN_RULES.has(name))
	)
};

/** Devices a seed may grow to as people sign in on more of them. */
const MAX_DEVICES = 4;

type Action =
	| 'apply'
	| 'apply-invalid'
	| 'apply-photos'
	| 'sync'
	| 'sync-together'
	| 'amend'
	| 'review'
	| 'restart-server'
	| 'restart-device'
	| 'apply-then-restart'
	| 'stale-replay'
	| 'sign-in-elsewhere'
	| 'expire-session';

/**
 * One seeded run: the real device code and the real server code in one process, wired
 * through a faulty network, driven by a schedule drawn from the seed. Everything that
 * varies comes from the seed, so a failure replays exactly.
 */
export class World {
	readonly random: Random;
	readonly network: FaultyNetwork;
	readonly devices: SimDevice[] = [];
	readonly queued: Queued[] = [];
	readonly log: string[] = [];
	/** The newest sign-in code sent to each phone. */
	readonly #inbox = new Map<string, string>();
	readonly #db: Database;
	#server: Handler;
	#clock = Date.UTC(2026, 10, 26);

	readonly #name: string;

	private constructor(seed: number, db: Database) {
		this.#name = `sim-${seed}`;
		this.random = new Random(seed);
		this.#db = db;
		this.#server = this.#startServer();
		this.network = new FaultyNetwork(this.random, () => this.#server);
	}

	/**
	 * Two to four devices, each of a new person or, sometimes, another device of an earlier
	 * one; each signs in as its person. A sign-in that failed on the network is tried again
	 * by a later action.
	 */
	static async create(seed: number, db: Database): Promise<World> {
		const world = new World(seed, db);
		const count = 2 + world.random.int(3);
		for (let i = 0; i < count; i++) {
			const person =
				i > 0 && world.random.chance(0.3)
					? world.random.pick(world.devices).person
					: randomPerson(world.random);
			await world.#addDevice(person);
		}
		return world;
	}

	async #addDevice(person: Person): Promise<SimDevice> {
		const name = `${this.#name}-device-${this.devices.length}`;
		const device = await SimDevice.start(name, person, this.network, this.now);
		this.devices.push(device);
		await device.signIn(this.#inbox);
		return device;
	}

	readonly now = () => this.#clock;

	/** A server process with nothing in memory; the database is the same. */
	#startServer(): Handler {
		const app = createApp({
			db: this.#db,
			log: silent,
			uploads: uploadStore(),
			limits: LIMITS,
			accounts: {
				sender: {
					description: 'the people’s phones',
					send: async (phone, sms) =>
						void (sms.kind === 'sign_in_code' && this.#inbox.set(phone, sms.code))
				},
				register: { description: 'every phone is its person’s', isRegistered: async () => true }
			}
		});
		return async (request) => app.fetch(request);
	}

	async step(): Promise<void> {
		this.#clock += 1000 + this.random.int(60_000);
		const device = this.random.pick(this.devices);
		const action = this.random.weighted<Action>({
			apply: 24,
			'apply-invalid': 3,
			'apply-photos': 6,
			sync: 24,
			'sync-together': 8,
			amend: 8,
			review: 12,
			'restart-server': 4,
			'restart-device': 4,
			'apply-then-restart': 4,
			'stale-replay': 5,
			'sign-in-elsewhere': 3,
			'expire-session': 4
		});
		this.log.push(`${action} ${device.name}`);
		switch (action) {
			case 'apply':
				this.queued.push(await device.apply(validAnswers(this.random), true));
				return;
			case 'apply-invalid':
				this.queued.push(await device.apply(invalidAnswers(this.random), false));
				return;
			case 'apply-photos':
				this.queued.push(await device.applyWithPhotos(this.random, permitAnswers(this.random)));
				return;
			case 'sync':
				// The person asks to send; told "sign in to send", they sign in first.
				if (!(await device.signedIn())) await device.signIn(this.#inbox);
				await device.engine.sync();
				return;
			case 'sync-together':
				// Requests of several devices in flight at once, interleaving on the server.
				await Promise.all(this.devices.map((d) => d.engine.sync()));
				return;
			case 'amend':
				await device.amend(this.random, validAnswers(this.random));
				return;
			case 'review':
				await this.#review();
				return;
			case 'restart-server':
				this.#server = this.#startServer();
				return;
			case 'restart-device':
				await device.restart();
				return;
			case 'apply-then-restart':
				// Killed between the IndexedDB write and the send.
				this.queued.push(await device.apply(validAnswers(this.random), true));
				await device.restart();
				return;
			case 'stale-replay':
				await this.network.replayStale();
				return;
			case 'sign-in-elsewhere':
				await this.#signInElsewhere(device);
				return;
			case 'expire-session':
				await this.#expireSession(device);
				return;
		}
	}

	/**
	 * The person of `device` signs in on a new phone of theirs, which then shows and may
	 * correct their applications (sign-in binds it to their account). A sign-in whose
	 * answer is lost is finished by a later action.
	 */
	async #signInElsewhere(device: SimDevice): Promise<void> {
		if (this.devices.length >= MAX_DEVICES) return;
		const added = await this.#addDevice(device.person);
		this.log.push(`  ${added.name} is ${device.name}'s person's too`);
	}

	/**
	 * Time passes for `device`'s session, on the server: its access token ends (the device
	 * refreshes it) and sometimes its refresh token too (the device stops, `signed_out`,
	 * keeping its queue, until the person signs in again).
	 */
	async #expireSession(device: SimDevice): Promise<void> {
		const refresh = this.random.chance(0.3);
		this.log.push(`  ${refresh ? 'access and refresh' : 'access'} token ended`);
		const past = sql`now() - interval '1 second'`;
		await this.#db
			.update(sessions)
			.set({ accessExpiresAt: past, ...(refresh ? { refreshExpiresAt: past } : {}) })
			.where(and(eq(sessions.deviceId, device.id), isNull(sessions.revokedAt)));
	}

	/** A back-office reviewer decides on some application, racing with citizens' edits. */
	async #review(): Promise<void> {
		const open = await this.#db
			.select({ id: applications.id, version: applications.version, status: applications.status })
			.from(applications)
			.where(sql`${applications.status} in ('received', 'in_review')`)
			.orderBy(asc(applications.id));
		if (open.length === 0) return;
		const target = this.random.pick(open);
		// Only moves the state machine has (shared/status.ts): in review stays there until decided.
		const status =
			target.status === 'in_review'
				? this.random.weighted({ approved: 2, rejected: 1 })
				: this.random.weighted({ in_review: 3, approved: 2, rejected: 1 });
		// Sometimes the reviewer's screen is stale: the decision must then conflict, not win.
		const baseVersion = this.random.chance(0.2) ? Math.max(1, target.version - 1) : target.version;
		await decide(this.#db, target.id, {
			status,
			baseVersion,
			...(status === 'rejected' ? { reason: 'Адрес не подтверждён' } : {})
		});
	}

	/**
	 * The link comes back for good: faults off, every person signs in where they are signed
	 * out and settles what the server answered, every device syncs until a round in which
	 * nobody had anything to send.
	 */
	async quiesce(): Promise<void> {
		this.network.faultRate = 0;
		for (let round = 0; round < 20; round++) {
			let busy = false;
			for (const device of this.devices) {
				// Before each pass: a refresh token that ran out is found only by the pass.
				if (!(await device.signedIn()) && !(await device.signIn(this.#inbox))) {
					throw new Error(`${device.name} cannot sign in with no faults`);
				}
				await device.settle(this.random);
				// A push changes the feed of every device of its owner: after a round in which
				// anyone sent something, every device pulls once more.
				if ((await device.pendingCount()) > 0) busy = true;
				if (!(await device.engine.sync())) busy = true;
				if ((await device.pendingCount()) > 0) busy = true;
				if ((await device.db.outbox.filter((e) => !!e.conflict).count()) > 0) busy = true;
			}
			if (!busy) return;
		}
		throw new Error('the world did not settle in 20 rounds');
	}

	/** Every promise checked against the database; returns what broke. */
	async violations(): Promise<string[]> {
		const broken: string[] = [];
		const rows = await this.#db.select().from(applications);
		const byId = new Map(rows.map((r) => [r.id, r]));

		// 1 and 2: nothing lost, nothing twice.
		for (const q of this.queued) {
			const row = byId.get(q.applicationId);
			if (q.valid && !row) broken.push(`lost: ${q.applicationId} of ${q.device}`);
			if (q.valid && row && row.deviceId !== q.device)
				broken.push(`wrong owner: ${q.applicationId}`);
			if (!q.valid && row) broken.push(`invalid answers accepted: ${q.applicationId}`);
		}
		const expected = this.queued.filter((q) => q.valid).length;
		if (rows.length !== expected) broken.push(`${rows.length} applications, expected ${expected}`);

		// 3: one device's submissions took effect in the order it made them. References are
		// numbered in the order applications are inserted. One waiting for its photos lets
		// later ones pass and goes after them (docs/sync-protocol.md): it is checked by
		// itself below, the others must keep their order among themselves.
		const number = (id: string) => Number(byId.get(id)?.reference.split('-')[2] ?? -1);
		for (const device of this.devices) {
			const mine = this.queued
				.filter((q) => q.device === device.id && q.valid && !q.photos)
				.sort((a, b) => a.seq - b.seq)
				.map((q) => number(q.applicationId));
			for (let i = 1; i < mine.length; i++) {
				if (mine[i]! <= mine[i - 1]!) broken.push(`order broken on ${device.name}`);
			}
		}

		// An application is complete only when all its files arrived: every photo it names
		// is its owner's, whole and verified.
		const stored = await this.#db
			.select({ ownerId: files.ownerId, sha256: files.sha256 })
			.from(files);
		const have = new Set(stored.map((f) => `${f.ownerId} ${f.sha256}`));
		for (const q of this.queued.filter((x) => x.photos)) {
			const row = byId.get(q.applicationId);
			const answers = (row?.answers ?? {}) as Record<string, string>;
			for (const field of ['idDocumentPhoto', 'sitePhoto']) {
				if (row && !have.has(`${row.ownerId} ${answers[field]}`)) {
					broken.push(`${q.applicationId} received without its ${field}`);
				}
			}
		}

		// 4 and 5: every device shows exactly what the server holds for its owner (its own
		// applications and those of every other device of its person), having pulled every change
		// (a skipped change would leave an older version in the mirror).
		const owners = new Map(
			(await this.#db.select({ id: devices.id, ownerId: devices.ownerId }).from(devices)).map(
				(d) => [d.id, d.ownerId]
			)
		);
		for (const device of this.devices) {
			const owner = owners.get(device.id);
			const mirror = await device.db.mirror.toArray();
			const serverRows = rows.filter((r) => r.ownerId === owner);
			if (mirror.length !== serverRows.length) {
				broken.push(
					`${device.name} shows ${mirror.length} applications, server holds ${serverRows.length}`
				);
			}
			for (const state of mirror) {
				const row = byId.get(state.id);
				if (!row || row.ownerId !== owner) {
					broken.push(`${device.name} shows ${state.id}, which is not its owner's`);
					continue;
				}
				const same =
					row.status === state.status &&
					row.version === state.version &&
					row.reference === state.reference &&
					sameAnswers(row.answers as Record<string, string>, state.answers);
				if (!same)
					broken.push(
						`${device.name} diverged on ${state.id} (v${state.version} vs v${row.version})`
					);
			}
			// 6: nothing stuck; refused submissions are answered and shown, not pending. Both
			// ways: nothing valid refused, and every invalid one still on the device that
			// made it, as its refusal or as the draft the person revised it into (a refusal
			// that vanished is a submission the person never hears of again).
			const pending = await device.pendingCount();
			if (pending > 0) broken.push(`${device.name} still has ${pending} to send`);
			const refused = await device.db.outbox
				.filter((e) => !!e.rejection && e.type === 'application.submit')
				.toArray();
			for (const entry of refused) {
				const q = this.queued.find((x) => x.applicationId === entry.applicationId);
				if (q?.valid)
					broken.push(`${device.name}: a valid application was refused (${entry.rejection?.code})`);
			}
			const shown = new Set(refused.map((e) => e.applicationId));
			for (const q of this.queued.filter((x) => !x.valid && x.device === device.id)) {
				const draft = device.revised.get(q.applicationId);
				if (shown.has(q.applicationId) || (draft && (await device.db.drafts.get(draft)))) continue;
				broken.push(`${device.name}: the refusal of ${q.applicationId} is gone`);
			}
		}
		return broken;
	}

	async close(): Promise<void> {
		for (const device of this.devices) await device.db.delete();
	}
}

/** Equal answers, whatever order the keys are in (jsonb keeps its own). */
function sameAnswers(a: Record<string, string>, b: Record<string, string>): boolean {
	const keys = Object.keys(a);
	return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** How often a seed reached the situations the simulation exists to produce. */
export interface Coverage {
	/** Devices that share their owner with another device at the end: one person's phones. */
	secondDevices: number;
	/** Sign-ins on a device that had been signed in before: its session had ended. */
	signInsAgain: number;
	/** Corrections applied by a device to an application another device submitted. */
	crossDeviceAmends: number;
	/** Corrections answered `conflict`. */
	conflicts: number;
	/** Applications received with photos, uploaded over the faulty network first. */
	withPhotos: number;
}

async function coverageOf(db: Database, world: World): Promise<Coverage> {
	const count = async (query: ReturnType<typeof sql>) => {
		const [row] = await db
			.select({ n: sql<number>`(${query})::int` })
			.from(sql`(values (1)) as one`);
		return row?.n ?? 0;
	};
	return {
		signInsAgain: world.devices.reduce((n, d) => n + Math.max(0, d.signIns - 1), 0),
		secondDevices: await count(
			sql`select count(*) from devices d where exists (select 1 from devices o
				where o.owner_id = d.owner_id and o.id <> d.id)`
		),
		crossDeviceAmends: await count(
			sql`select count(*) from mutations m join applications a on a.id = m.application_id
				where m.result->>'status' = 'applied' and m.device_id <> a.device_id`
		),
		conflicts: await count(
			sql`select count(*) from mutations where result->>'status' = 'conflict'`
		),
		withPhotos: await count(
			sql`select count(*) from applications where service_id = 'trade-outlet-permit'`
		)
	};
}

/** Runs one seed; resolves to the violations found (empty when every promise held). */
export async function runSeed(
	seed: number,
	db: Database,
	steps = 40,
	coverage?: (seen: Coverage) => void
): Promise<string[]> {
	await resetDatabase(db);
	const world = await World.create(seed, db);
	try {
		for (let i = 0; i < steps; i++) await world.step();
		await world.quiesce();
		const broken = await world.violations();
		coverage?.(await coverageOf(db, world));
		return broken;
	} catch (error) {
		return [`crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`];
	} finally {
		await world.close();
	}
}
