/** What the server suites share: fixtures, a protocol-speaking client, database probes. */
import { gzipSync } from 'node:zlib';
import { eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, expect } from 'vitest';
import {
	deviceIdOf,
	generateDeviceKey,
	newNonce,
	signRequest
} from '../../shared/device-signature';
import { tusSigningBody } from '../../shared/files';
import { iinCheckDigit } from '../../shared/iin';
import {
	Header,
	PROTOCOL_VERSION,
	type ApplicationState,
	type DevicePublicKey,
	type Mutation
} from '../../shared/protocol';
import { createApp, type AppOptions } from '../../sync-server/app';
import type { Database } from '../../sync-server/db/open';
import { applications, devices, mutations } from '../../sync-server/db/schema';
import { createLogger } from '../../sync-server/http/log';
import { developmentSender, type SmsSender } from '../../sync-server/accounts/sms-sender';
import { developmentRegister } from '../../sync-server/accounts/phone-register';
import type { DecisionInput } from '../../sync-server/office/review';
import { decide } from '../support/decide';
import { openSession } from '../../sync-server/accounts/sessions';
import { createStaff } from '../../sync-server/accounts/staff';
import { NATIONAL_REGION } from '../../shared/accounts';
import type { Session } from '../../shared/session';
import { inboxAccounts, type Inbox } from '../support/inbox-accounts';
import { sha256Hex } from '../support/sample-photo';
import type { Backend, TestDatabase } from './backends';

export type App = ReturnType<typeof createApp>;

/**
 * A suite's fresh database and app on one backend: opened before its tests, closed after.
 * Read the fields inside tests (`suite.app`, `suite.db`).
 */
export function useSuite(backend: Backend, options: Parameters<typeof testApp>[1] = {}) {
	const suite = {} as { db: Database; url?: string; app: App };
	let opened: TestDatabase | undefined;
	beforeAll(async () => {
		opened = await backend.open();
		Object.assign(suite, { db: opened.db, url: opened.url, app: testApp(opened.db, options) });
	});
	afterAll(() => opened?.close());
	return suite;
}

/** Where each test app's sign-in codes are copied, for `newDevice` to confirm. */
const inboxes = new WeakMap<App, Inbox>();

/**
 * The app, with a logger that writes nothing unless given one: failures show in
 * assertions, not noise. Each
 * sign-in code it sends (through `options.accounts`, or the development adapters as in
 * `npm start`) is also copied to an inbox of its own (`inboxOf`).
 */
export function testApp(
	db: Database,
	{
		log = createLogger({ level: 'silent' }),
		...options
	}: Omit<AppOptions, 'db' | 'log'> & Partial<Pick<AppOptions, 'log'>> = {}
): App {
	const given = options.accounts ?? {
		sender: developmentSender(log),
		register: developmentRegister(log)
	};
	const inbox = inboxAccounts();
	const sender: SmsSender = {
		...given.sender,
		send: async (phone, sms) => {
			await given.sender.send(phone, sms);
			await inbox.sender.send(phone, sms);
		}
	};
	const app = createApp({ db, log, ...options, accounts: { ...given, sender } });
	inboxes.set(app, inbox);
	return app;
}

/** The codes `app` sent (a `testApp`). */
export function inboxOf(app: App): Inbox {
	const inbox = inboxes.get(app);
	if (!inbox) throw new Error('only a testApp keeps an inbox');
	return inbox;
}

/** A device as the app makes one: a P-256 key pair, and the id derived from its public key. */
export interface Device {
	id: string;
	privateKey: CryptoKey;
	publicKey: DevicePublicKey;
	/** The person's access token, sent with every signed request (protocol 3), if signed in. */
	accessToken?: string;
}

/** A device with a fresh key that no server knows yet. */
export async function unregisteredDevice(): Promise<Device> {
	const { privateKey, publicKey } = await generateDeviceKey();
	return { id: await deviceIdOf(publicKey), privateKey, publicKey };
}

/** A device with a fresh key, registered with `app`, nobody signed in on it. */
export async function anonymousDevice(app: App): Promise<Device> {
	const device = await unregisteredDevice();
	const res = await register(app, { publicKey: device.publicKey });
	if (res.status !== 200 || res.json.deviceId !== device.id) {
		throw new Error(`register answered ${res.status}: ${res.text}`);
	}
	return device;
}

/** Who signs in: an IIN and the phone the register ties to it. */
export interface Person {
	iin: string;
	phone: string;
}

let people = 0;
/** Where the next person's IIN is looked for: past the last one handed out. */
let nextIin = 5001;

/** A citizen no other test uses: IINs far from those tests pick with validIin(n). */
export function newPerson(): Person {
	people += 1;
	// validIin(n) gives the first valid IIN at or after n: counting n up by one would give
	// two people the same IIN (one account, one owner) whenever n has no valid check digit.
	const iin = validIin(nextIin);
	nextIin = Number(iin.slice(7, 11)) + 1;
	return { iin, phone: `+7702${String(people).padStart(7, '0')}` };
}

/**
 * A registered device with `person` (by default one of its own) signed in, so it syncs as
 * the app does. `app` must be a `testApp` with its own inbox.
 */
export async function newDevice(app: App, person: Person = newPerson()): Promise<Device> {
	return signedIn(app, await anonymousDevice(app), person);
}

/**
 * A device with a reviewer of `region` (the national queue by default) signed in on it: the
 * account made as the admin CLI makes it, the session opened as staff sign-in opens one.
 */
export async function newReviewer(
	app: App,
	db: Database,
	region: string = NATIONAL_REGION
): Promise<Device> {
	const device = await anonymousDevice(app);
	const { accountId } = await createStaff(db, { role: 'reviewer', region, name: 'Test reviewer' });
	const { accessToken } = await db.transaction((tx) => openSession(tx, accountId, device.id));
	return { ...device, accessToken };
}

/** `device` with `person` signed in on it, through the real endpoints. */
export async function signedIn(app: App, device: Device, person: Person): Promise<Device> {
	const session = await signInCitizen(app, device, inboxOf(app), person.iin, person.phone);
	return { ...device, accessToken: session.accessToken };
}

/** POSTs `body` to /api/sync/register with the protocol header and any others given. */
export function register(app: App, body: unknown, headers: Record<string, string> = {}) {
	return answer(
		app.request('/api/sync/register', {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				[Header.protocol]: String(PROTOCOL_VERSION),
				...headers
			},
			body: typeof body === 'string' ? body : JSON.stringify(body)
		})
	);
}

/** A valid IIN (the check digit computed by the shared rule), deterministic per `n`. */
export function validIin(n = 0): string {
	for (let i = n; ; i++) {
		const first11 = `9001013${String(i).padStart(4, '0')}`;
		const check = iinCheckDigit(first11);
		if (check !== null) return `${first11}${check}`;
	}
}

/** A well-formed IIN whose check digit is wrong. */
export function invalidIin(): string {
	const iin = validIin();
	return iin.slice(0, 11) + String((Number(iin[11]) + 1) % 10);
}

/** Answers as a person might type them: spaces, local phone format, an extra key. */
export function rawAnswers(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	const iin = validIin();
	return {
		iin: `${iin.slice(0, 6)} ${iin.slice(6)}`,
		fullName: '  Aigerim Seitkali ',
		businessName: 'IE Seitkali',
		activity: 'retail',
		address: 'Almaty region, Talgar, Abay 1',
		phone: '8 (701) 234-56-78',
		notInTheForm: 'dropped by the server',
		...overrides
	};
}

/** What the server must store for `rawAnswers()`: trimmed, normalized, nothing extra. */
export function normalizedAnswers(): Record<string, string> {
	return {
		iin: validIin(),
		fullName: 'Aigerim Seitkali',
		businessName: 'IE Seitkali',
		activity: 'retail',
		address: 'Almaty region, Talgar, Abay 1',
		phone: '+77012345678'
	};
}

type Submit = Extract<Mutation, { type: 'application.submit' }>;
type Amend = Extract<Mutation, { type: 'application.amend' }>;

/** A submit mutation with fresh ids; override any part. */
export function submit(overrides: Partial<Submit> = {}): Submit {
	return {
		id: uuidv7(),
		seq: 1,
		type: 'application.submit',
		applicationId: uuidv7(),
		serviceId: 'individual-entrepreneur',
		serviceVersion: 1,
		answers: rawAnswers(),
		...overrides
	};
}

/** An amend of `applicationId` made on `baseVersion`; override any part. */
export function amend(
	applicationId: string,
	baseVersion: number,
	overrides: Partial<Amend> = {}
): Amend {
	return {
		id: uuidv7(),
		seq: 1,
		type: 'application.amend',
		applicationId,
		baseVersion,
		answers: rawAnswers({ businessName: 'IE Seitkali and Sons' }),
		...overrides
	};
}

/** The unsigned headers a current client sends: protocol and device. */
export function syncHeaders(deviceId: string): Record<string, string> {
	return { [Header.protocol]: String(PROTOCOL_VERSION), [Header.device]: deviceId };
}

/** How a test bends a request: compress it, or sign something other than what is sent. */
export interface SendOptions {
	/** Send the body gzip-compressed (and sign the compressed bytes, as the app does). */
	gzip?: boolean;
	/** Sign these bytes instead of the body sent. */
	signBody?: Uint8Array;
	/** Sign this path and query instead of the one requested. */
	signPath?: string;
	/** Sign with this key instead of the device's own. */
	signKey?: CryptoKey;
	/** Sign (and send) this `Dala-Time` rather than now: a device whose clock is off. */
	time?: number;
	/** Sign (and send) this `Dala-Nonce` rather than a fresh one. */
	nonce?: string;
	/** Change the headers the request would carry (add, replace, or drop some). */
	headers?: (signed: Record<string, string>) => Record<string, string>;
}

/**
 * The credentials of one signed request: protocol, device, `Dala-Time`, a fresh
 * `Dala-Nonce` and `Dala-Signature` over them, the method, the path with its query and
 * `signedBytes` (the body sent, or for tus the headers `tusSigningBody` picks). Every
 * signed request the server suites make is signed here, so a change to what a signature
 * covers is made in one place.
 */
export async function signatureHeaders(
	device: Device,
	method: string,
	pathAndQuery: string,
	signedBytes: Uint8Array | undefined,
	options: Pick<SendOptions, 'signBody' | 'signPath' | 'signKey' | 'time' | 'nonce'> = {}
): Promise<Record<string, string>> {
	const time = String(options.time ?? Date.now());
	const nonce = options.nonce ?? newNonce();
	const signature = await signRequest(options.signKey ?? device.privateKey, {
		method,
		pathAndQuery: options.signPath ?? pathAndQuery,
		body: options.signBody ?? signedBytes,
		time,
		nonce
	});
	return {
		...syncHeaders(device.id),
		[Header.time]: time,
		[Header.nonce]: nonce,
		[Header.signature]: signature
	};
}

/**
 * The request a current client sends: protocol, device, time, a fresh nonce and the
 * signature over them and the exact bytes. Each call signs anew; to replay, send the same
 * init twice (`capture`).
 */
export async function signedRequest(
	device: Device,
	method: 'GET' | 'POST',
	pathAndQuery: string,
	body?: unknown,
	options: SendOptions = {}
): Promise<RequestInit> {
	let bytes: Uint8Array | undefined;
	if (body instanceof Uint8Array) bytes = body;
	else if (body !== undefined) {
		bytes = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
	}
	if (bytes && options.gzip) bytes = new Uint8Array(gzipSync(bytes));
	const signed: Record<string, string> = {
		...(await signatureHeaders(device, method, pathAndQuery, bytes, options)),
		...bearer(device),
		...(bytes ? { 'Content-Type': 'application/json' } : {}),
		...(options.gzip ? { 'Content-Encoding': 'gzip' } : {})
	};
	return {
		method,
		headers: options.headers ? options.headers(signed) : signed,
		...(bytes ? { body: bytes as Uint8Array<ArrayBuffer> } : {})
	};
}

/**
 * A tus request (/api/files) as app/lib/files/upload.ts sends one: the tus headers given,
 * signed over `tusSigningBody` of them; the chunk bytes are not signed (shared/files.ts).
 */
export async function signedTusRequest(
	device: Device,
	method: string,
	path: string,
	headers: Record<string, string> = {},
	body?: Uint8Array,
	options: Pick<SendOptions, 'signPath' | 'signKey'> = {}
): Promise<RequestInit> {
	const tusHeaders = new Headers({ 'Tus-Resumable': '1.0.0', ...bearer(device), ...headers });
	const signed = await signatureHeaders(device, method, path, tusSigningBody(tusHeaders), options);
	for (const [name, value] of Object.entries(signed)) tusHeaders.set(name, value);
	return {
		method,
		headers: tusHeaders,
		...(body ? { body: body as Uint8Array<ArrayBuffer> } : {})
	};
}

/** The device's session, as the app sends it. */
export function bearer(device: Device): Record<string, string> {
	return device.accessToken ? { Authorization: `Bearer ${device.accessToken}` } : {};
}

export interface Answer {
	status: number;
	text: string;
	/** The parsed body; `undefined` when it is not JSON. */
	json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- asserted field by field
	headers: Headers;
}

/** A response read whole: status, text, JSON if it is JSON, headers. */
export async function answer(response: Response | Promise<Response>): Promise<Answer> {
	const res = await response;
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, text, json, headers: res.headers };
}

/** POSTs `body` (stringified unless already a string or bytes) to /api/sync/push, signed. */
/** A signed request as the app sends one, with the session's access token when given. */
export async function signedCall(
	app: App,
	device: Device,
	path: string,
	body?: unknown,
	token?: string
): Promise<Answer> {
	const method = body === undefined ? 'GET' : 'POST';
	return answer(
		app.request(
			path,
			await signedRequest(device, method, path, body, {
				headers: (h) => (token ? { ...h, Authorization: `Bearer ${token}` } : h)
			})
		)
	);
}

/** Uploads a whole file over tus as the device does, in one PATCH; its SHA-256. */
export async function uploadWhole(app: App, device: Device, file: Uint8Array): Promise<string> {
	const b64 = (text: string) => Buffer.from(text).toString('base64');
	const send = async (
		method: string,
		path: string,
		headers: Record<string, string>,
		body?: Uint8Array
	) => answer(app.request(path, await signedTusRequest(device, method, path, headers, body)));
	const hash = sha256Hex(file);
	const created = await send('POST', '/api/files', {
		'Upload-Length': String(file.length),
		'Upload-Metadata': `sha256 ${b64(hash)},type ${b64('image/jpeg')}`
	});
	expect(created.status, created.text).toBe(201);
	const done = await send(
		'PATCH',
		created.headers.get('Location')!,
		{ 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
		file
	);
	expect(done.status, done.text).toBe(204);
	return hash;
}

export async function push(
	app: App,
	device: Device,
	body: unknown,
	options: SendOptions = {}
): Promise<Answer> {
	const path = '/api/sync/push';
	return answer(app.request(path, await signedRequest(device, 'POST', path, body, options)));
}

/** GETs /api/sync/pull with the given query parameters, signed. */
export async function pull(
	app: App,
	device: Device,
	query: Record<string, string | number> = {},
	options: SendOptions = {}
): Promise<Answer> {
	const search = new URLSearchParams(
		Object.entries(query).map(([k, value]) => [k, String(value)])
	).toString();
	const path = `/api/sync/pull${search ? `?${search}` : ''}`;
	return answer(app.request(path, await signedRequest(device, 'GET', path, undefined, options)));
}

/** GETs any path. */
export function get(app: App, path: string, headers: Record<string, string> = {}) {
	return answer(app.request(path, { headers }));
}

/**
 * What pushes and decisions have written: applications; mutations recorded (each
 * application records the submit that made it, `mutations` every other); and changes
 * made, which is the sum of the versions, since every change adds one to a version and
 * every new application starts at 1.
 */
export async function counts(db: Database) {
	const [changes] = await db
		.select({ total: sql<string>`coalesce(sum(${applications.version}), 0)` })
		.from(applications);
	const created = await db.$count(applications);
	return {
		applications: created,
		mutations: created + (await db.$count(mutations)),
		changes: Number(changes?.total)
	};
}

/** The highest seq the server recorded for a device. */
export async function lastSeq(db: Database, deviceId: string): Promise<number | undefined> {
	const [row] = await db
		.select({ lastSeq: devices.lastSeq })
		.from(devices)
		.where(eq(devices.id, deviceId));
	return row?.lastSeq;
}

/** The stored application row, or undefined. */
export async function storedApplication(db: Database, id: string) {
	const [row] = await db.select().from(applications).where(eq(applications.id, id));
	return row;
}

/**
 * A back-office reviewer's decision, through the domain function the office API uses, on
 * the version the application has now. Throws unless it was recorded.
 */
export async function review(
	db: Database,
	applicationId: string,
	status: DecisionInput['status'],
	reason?: string
): Promise<ApplicationState> {
	const row = await storedApplication(db, applicationId);
	if (!row) throw new Error(`no application ${applicationId}`);
	const outcome = await decide(db, applicationId, {
		status,
		baseVersion: row.version,
		...(reason !== undefined ? { reason } : {})
	});
	if (outcome.status !== 'applied') throw new Error(`decide answered ${outcome.status}`);
	return outcome.application;
}

/**
 * Waits until every transaction that had started when it was called has finished. A pull
 * only reads the feed below the oldest running transaction of the whole cluster, so on a
 * shared PostgreSQL another suite's open transaction can briefly hold back what this suite
 * just committed. Tests that expect to see their own writes call this first; it is not a
 * retry: it waits for a condition the server itself relies on, then pulls once.
 */
export async function settleFeed(db: Database): Promise<void> {
	const noTable = sql`(values (1)) as one`;
	const [start] = await db
		.select({ xmax: sql<string>`pg_snapshot_xmax(pg_current_snapshot())::text` })
		.from(noTable);
	if (!start) throw new Error('no snapshot');
	const deadline = Date.now() + 10_000;
	for (;;) {
		const [now] = await db
			.select({
				done: sql<boolean>`pg_snapshot_xmin(pg_current_snapshot()) >= ${start.xmax}::xid8`
			})
			.from(noTable);
		if (now?.done) return;
		if (Date.now() > deadline) throw new Error('a transaction stayed open for 10 s');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/** Pulls from `cursor` until hasMore is false; every page's changes, and the last cursor. */
export async function pullAll(app: App, db: Database, device: Device, cursor?: string) {
	await settleFeed(db);
	const pages: Answer[] = [];
	let next = cursor;
	for (;;) {
		const page = await pull(app, device, next === undefined ? {} : { cursor: next });
		if (page.status !== 200) throw new Error(`pull answered ${page.status}: ${page.text}`);
		pages.push(page);
		next = page.json.cursor;
		if (!page.json.hasMore) break;
	}
	return { changes: pages.flatMap((p) => p.json.changes), cursor: next as string, pages };
}

/**
 * Signs `device` in as the citizen `iin` with `phone`, through the real endpoints and the
 * code `inbox` received; the session. `app` must send its codes to `inbox`.
 */
export async function signInCitizen(
	app: App,
	device: Device,
	inbox: Inbox,
	iin: string,
	phone: string
): Promise<Session> {
	const asked = await signedCall(app, device, '/api/accounts/citizen/code', { iin, phone });
	expect(asked.status, asked.text).toBe(200);
	const res = await signedCall(app, device, '/api/accounts/citizen/confirm', {
		challengeId: asked.json.challengeId,
		code: inbox.last()
	});
	expect(res.status, res.text).toBe(200);
	return res.json as Session;
}
