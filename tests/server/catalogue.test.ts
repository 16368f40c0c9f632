import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInKazakhstan } from '../../shared/dates';
import { Header, PROTOCOL_VERSION, PushResponse, ServicesResponse } from '../../shared/protocol';
import { SERVICES } from '../../shared/services/catalog';
import { specOf } from '../../shared/services/definition-schema';
import { birthRegistration } from '../../shared/services/birth-registration';
import {
	catalogueFromEnv,
	createCatalogue,
	parseCatalogue
} from '../../sync-server/catalogue/catalogue';
import { GOOD_BIRTH } from '../support/service-answers';
import { backends } from './backends';
import { newDevice, push, submit, testApp, useSuite, type App } from './helpers';

const PROTOCOL = { [Header.protocol]: String(PROTOCOL_VERSION) };

function services(app: App, headers: Record<string, string> = {}) {
	return app.request('/api/services', { headers: { ...PROTOCOL, ...headers } });
}

/** The catalogue a later release publishes: birth registration moved to version 2. */
const birthV2 = { ...specOf(birthRegistration), version: 2 };
const retiredBirthV1 = { ...specOf(birthRegistration), supported: false };
const NEXT_RELEASE = [
	...SERVICES.filter((s) => s.id !== 'birth-registration').map(specOf),
	retiredBirthV1,
	birthV2
];

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'dala-catalogue-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, content: unknown): Promise<string> {
	const path = join(dir, name);
	await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
	return path;
}

describe.each(backends)('the published catalogue on $name', (backend) => {
	const suite = useSuite(backend);

	it('lists every version, retired ones too, with a strong ETag: the SHA-256 of the body', async () => {
		const res = await services(suite.app);
		expect(res.status).toBe(200);
		expect(res.headers.get('Cache-Control')).toBe('no-cache');
		expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
		const bytes = new Uint8Array(await res.arrayBuffer());
		const etag = res.headers.get('ETag');
		expect(etag).toBe(`"${createHash('sha256').update(bytes).digest('base64url')}"`);
		const body = v.parse(ServicesResponse, JSON.parse(new TextDecoder().decode(bytes)));
		expect(body.services.map((s) => `${s.id}@${s.version}`)).toEqual(
			SERVICES.map((s) => `${s.id}@${s.version}`)
		);
		// Specs, not definitions: the flat field list is derived on the device.
		expect(body.services[0]).not.toHaveProperty('fields');
	});

	it('answers 304 with no body to a device that has the current catalogue', async () => {
		const first = await services(suite.app);
		const etag = first.headers.get('ETag')!;
		for (const ifNoneMatch of [etag, `W/${etag}`, `"stale", ${etag}`, '*']) {
			const again = await services(suite.app, { 'If-None-Match': ifNoneMatch });
			expect(again.status, ifNoneMatch).toBe(304);
			expect(again.headers.get('ETag')).toBe(etag);
			expect(await again.text()).toBe('');
		}
		const stale = await services(suite.app, { 'If-None-Match': '"stale"' });
		expect(stale.status).toBe(200);
	});

	it('is gzipped for a client that takes gzip, with its own strong ETag', async () => {
		const plain = await services(suite.app);
		const zipped = await services(suite.app, { 'Accept-Encoding': 'gzip, deflate, br' });
		expect(zipped.status).toBe(200);
		expect(zipped.headers.get('Content-Encoding')).toBe('gzip');
		expect(zipped.headers.get('Vary')).toMatch(/Accept-Encoding/);
		const etag = zipped.headers.get('ETag')!;
		expect(etag).not.toMatch(/^W\//);
		expect(etag).not.toBe(plain.headers.get('ETag'));
		const inflated = gunzipSync(new Uint8Array(await zipped.arrayBuffer()));
		expect(inflated.toString()).toBe(await plain.text());
		// Either tag revalidates: both name the same catalogue.
		for (const tag of [etag, plain.headers.get('ETag')!]) {
			const again = await services(suite.app, { 'Accept-Encoding': 'gzip', 'If-None-Match': tag });
			expect(again.status).toBe(304);
			expect(again.headers.get('ETag')).toBe(etag);
		}
	});

	it('needs no device signature, but does need the protocol header', async () => {
		const bare = await suite.app.request('/api/services');
		expect(bare.status).toBe(426);
		expect(await bare.json()).toMatchObject({ error: { code: 'unsupported_protocol' } });
	});

	it('has a new ETag when the catalogue changes, and the old one gets the new body', async () => {
		const before = await services(suite.app);
		const etag = before.headers.get('ETag')!;
		const next = testApp(suite.db, {
			catalogue: parseCatalogue(JSON.stringify(NEXT_RELEASE), 'test')
		});
		const after = await services(next, { 'If-None-Match': etag });
		expect(after.status).toBe(200);
		expect(after.headers.get('ETag')).not.toBe(etag);
		const body = v.parse(ServicesResponse, await after.json());
		expect(body.services.filter((s) => s.id === 'birth-registration')).toMatchObject([
			{ version: 1, supported: false },
			{ version: 2, supported: true }
		]);
		// The same definitions give the same tag, on any server.
		const twin = testApp(suite.db, { catalogue: createCatalogue(SERVICES) });
		expect((await services(twin)).headers.get('ETag')).toBe(etag);
	});

	it('accepts and refuses submissions by the DALA_SERVICES file it was started with', async () => {
		const { catalogue, source } = await catalogueFromEnv({
			DALA_SERVICES: await file('next.json', NEXT_RELEASE)
		});
		expect(source).toBe(join(dir, 'next.json'));
		const app = testApp(suite.db, { catalogue });
		expect(v.parse(ServicesResponse, await (await services(app)).json()).services).toHaveLength(
			NEXT_RELEASE.length
		);

		const device = await newDevice(app);
		const answers = { ...GOOD_BIRTH, childBirthDate: addDays(todayInKazakhstan(), -3) };
		const onVersion = (version: number, seq: number) =>
			submit({ seq, serviceId: 'birth-registration', serviceVersion: version, answers });
		const [v2, v1, v3] = [onVersion(2, 1), onVersion(1, 2), onVersion(3, 3)];
		const unknown = submit({ seq: 4, serviceId: 'fishing-licence', serviceVersion: 1 });
		const res = await push(app, device, { mutations: [v2, v1, v3, unknown] });
		expect(res.status).toBe(200);
		expect(v.parse(PushResponse, res.json).results).toMatchObject([
			{ mutationId: v2.id, status: 'applied' },
			{ mutationId: v1.id, status: 'rejected', code: 'unsupported_service_version' },
			{ mutationId: v3.id, status: 'rejected', code: 'unsupported_service_version' },
			{ mutationId: unknown.id, status: 'rejected', code: 'unknown_service' }
		]);

		// The bundled catalogue knows no version 2 of birth registration.
		const bundled = await push(suite.app, await newDevice(suite.app), {
			mutations: [onVersion(2, 1)]
		});
		expect(v.parse(PushResponse, bundled.json).results[0]).toMatchObject({
			code: 'unsupported_service_version'
		});
	});

	it('uses the bundled catalogue when DALA_SERVICES is unset', async () => {
		const { catalogue, source } = await catalogueFromEnv({});
		expect(source).toBe('bundled');
		expect(catalogue.services).toBe(SERVICES);
	});
});

describe('a bad DALA_SERVICES file', () => {
	const broken = () => structuredClone(NEXT_RELEASE) as unknown as Record<string, unknown>[];

	it.each([
		['not JSON', '[{"id": ', /is not JSON/],
		['not an array', { services: [] }, /not a valid service catalogue/],
		['empty', [], /expected at least one service/],
		[
			'a field of an unknown kind',
			(() => {
				const specs = broken();
				(specs[0] as { steps: { fields: { kind: string }[] }[] }).steps[0]!.fields[0]!.kind =
					'colour';
				return specs;
			})(),
			/0\.steps\.0\.fields\.0\.kind/
		],
		[
			'a title missing its Kazakh',
			(() => {
				const specs = broken();
				delete (specs[1] as { title: Record<string, string> }).title.kk;
				return specs;
			})(),
			/1\.title\.kk/
		],
		[
			'a rule no server runs',
			(() => {
				const specs = broken();
				(specs[0] as { rules: unknown[] }).rules.push({ rule: 'askTheOracle' });
				return specs;
			})(),
			/0\.rules\.0\.rule/
		],
		[
			'a rule naming a field the form lacks',
			(() => {
				const specs = broken();
				(specs[0] as { rules: unknown[] }).rules.push({ rule: 'taxYearKnown', year: 'yeer' });
				return specs;
			})(),
			/names yeer, which is not a field/
		],
		['one version twice', [...NEXT_RELEASE, birthV2], /birth-registration@2 is defined twice/]
	])('is refused: %s', async (name, content, message) => {
		const path = await file(`${name.replaceAll(' ', '-')}.json`, content);
		const loading = catalogueFromEnv({ DALA_SERVICES: path });
		await expect(loading).rejects.toThrow(message);
		await expect(loading).rejects.toThrow(path);
	});

	it('is refused when it cannot be read', async () => {
		await expect(catalogueFromEnv({ DALA_SERVICES: join(dir, 'none.json') })).rejects.toThrow(
			/cannot be read/
		);
	});

	it('stops the server from starting, and says why', async () => {
		const path = await file('bad-start.json', [{ ...birthV2, version: 0 }]);
		const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
			cwd: new URL('../../', import.meta.url).pathname,
			env: {
				...process.env,
				DALA_SERVICES: path,
				PORT: '0',
				DATA_DIR: join(dir, 'data'),
				DATABASE_URL: '',
				LOG_LEVEL: 'error'
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
		expect(code).toBe(1);
		expect(output).toContain('the server could not start');
		expect(output).toContain('0.version');
	});
});
