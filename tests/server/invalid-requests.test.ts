import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	ErrorBody,
	Header,
	MAX_BODY_BYTES,
	MAX_PUSH_BATCH,
	PROTOCOL_VERSION
} from '../../shared/protocol';
import { backends, type TestDatabase } from './backends';
import {
	counts,
	newDevice,
	push,
	rawAnswers,
	submit,
	syncHeaders,
	testApp,
	type Answer,
	type App
} from './helpers';

interface Case {
	name: string;
	send: (app: App, device: string) => Promise<Answer>;
	status: number;
	code: string;
	/** Dotted paths that must be named in `issues` (invalid_body only). */
	issues?: string[];
}

// Each bad batch also carries a good mutation, so "nothing written" proves the whole
// request is refused before any of it is applied.
const good = () => submit();
const withBody = (body: unknown) => (app: App, device: string) => push(app, device, body);
const withHeaders =
	(headers: (device: string) => Record<string, string>) => (app: App, device: string) =>
		push(app, device, { mutations: [good()] }, headers(device));
const withoutSeq: Record<string, unknown> = { ...submit() };
delete withoutSeq.seq;
const oversize = 'x'.repeat(MAX_BODY_BYTES);

const cases: Case[] = [
	{ name: 'malformed JSON', send: withBody('{"mutations": [{'), status: 400, code: 'invalid_json' },
	{ name: 'an empty body', send: withBody(''), status: 400, code: 'invalid_json' },
	{
		name: 'JSON that is not an object',
		send: withBody('[1,2]'),
		status: 400,
		code: 'invalid_body'
	},
	{ name: 'JSON null', send: withBody('null'), status: 400, code: 'invalid_body' },
	{
		name: 'a wrong type in one mutation',
		send: withBody({ mutations: [good(), { ...good(), seq: '2' }] }),
		status: 400,
		code: 'invalid_body',
		issues: ['mutations.1.seq']
	},
	{
		name: 'answers that are not an object',
		send: withBody({ mutations: [good(), { ...good(), answers: 'all fine' }] }),
		status: 400,
		code: 'invalid_body',
		issues: ['mutations.1.answers']
	},
	{
		name: 'a missing field',
		send: withBody({ mutations: [good(), withoutSeq] }),
		status: 400,
		code: 'invalid_body',
		issues: ['mutations.1.seq']
	},
	{
		name: 'an id that is not a UUIDv7',
		send: withBody({ mutations: [good(), { ...good(), id: crypto.randomUUID() }] }),
		status: 400,
		code: 'invalid_body',
		issues: ['mutations.1.id']
	},
	{
		name: 'an unknown mutation type',
		send: withBody({ mutations: [good(), { ...good(), type: 'application.delete' }] }),
		status: 400,
		code: 'invalid_body',
		issues: ['mutations.1.type']
	},
	{
		name: 'a seq too large to store',
		send: withBody({ mutations: [good(), { ...good(), seq: 2 ** 31 }] }),
		status: 400,
		code: 'invalid_body',
		issues: ['mutations.1.seq']
	},
	{
		name: 'no mutations key',
		send: withBody({}),
		status: 400,
		code: 'invalid_body',
		issues: ['mutations']
	},
	{
		name: 'an empty batch',
		send: withBody({ mutations: [] }),
		status: 400,
		code: 'invalid_body',
		issues: ['mutations']
	},
	{
		name: `a batch over ${MAX_PUSH_BATCH}`,
		send: withBody({
			mutations: Array.from({ length: MAX_PUSH_BATCH + 1 }, (_, i) => submit({ seq: i + 1 }))
		}),
		status: 400,
		code: 'invalid_body',
		issues: ['mutations']
	},
	{
		name: 'a body over the limit, streamed',
		send: withBody({ mutations: [submit({ answers: rawAnswers({ address: oversize }) })] }),
		status: 413,
		code: 'body_too_large'
	},
	{
		name: 'a body over the limit, announced by Content-Length',
		send: (app, device) =>
			push(app, device, JSON.stringify({ mutations: [good()], pad: oversize }), {
				...syncHeaders(device),
				'Content-Length': String(MAX_BODY_BYTES + 100)
			}),
		status: 413,
		code: 'body_too_large'
	},
	{
		name: 'a protocol version newer than the server',
		send: withHeaders((d) => ({
			...syncHeaders(d),
			[Header.protocol]: String(PROTOCOL_VERSION + 1)
		})),
		status: 426,
		code: 'unsupported_protocol'
	},
	{
		name: 'protocol version 0',
		send: withHeaders((d) => ({ ...syncHeaders(d), [Header.protocol]: '0' })),
		status: 426,
		code: 'unsupported_protocol'
	},
	{
		name: 'a protocol version that is not a number',
		send: withHeaders((d) => ({ ...syncHeaders(d), [Header.protocol]: '1.0' })),
		status: 426,
		code: 'unsupported_protocol'
	},
	{
		name: 'no protocol header',
		send: withHeaders((d) => ({ [Header.device]: d })),
		status: 426,
		code: 'unsupported_protocol'
	},
	{
		name: 'no device header',
		send: withHeaders(() => ({ [Header.protocol]: String(PROTOCOL_VERSION) })),
		status: 400,
		code: 'missing_device'
	},
	{
		name: 'a device id that is not a UUID',
		send: withHeaders((d) => ({ ...syncHeaders(d), [Header.device]: 'my-phone' })),
		status: 400,
		code: 'missing_device'
	},
	{
		name: 'an upper-case device id',
		send: withHeaders((d) => ({ ...syncHeaders(d), [Header.device]: d.toUpperCase() })),
		status: 400,
		code: 'missing_device'
	}
];

describe.each(backends)('invalid requests on $name', (backend) => {
	let t: TestDatabase;
	let app: App;
	beforeAll(async () => {
		t = await backend.open();
		app = testApp(t.db);
	});
	afterAll(() => t?.close());

	it.each(cases)('refuses $name with $status $code and writes nothing', async (c) => {
		const device = newDevice();
		const before = await counts(t.db);

		const res = await c.send(app, device);

		expect(res.status).toBe(c.status);
		const body = v.parse(ErrorBody, res.json);
		expect(body.error.code).toBe(c.code);
		expect(body.error.message).not.toBe('');
		for (const path of c.issues ?? []) expect(body.error.issues).toHaveProperty([path]);
		expect(await counts(t.db)).toEqual(before);

		// The server is unharmed: the next good request from the same device goes through.
		const next = await push(app, device, { mutations: [good()] });
		expect(next.status).toBe(200);
		expect(next.json.results[0].status).toBe('applied');
	});

	it('checks the headers of a pull too', async () => {
		const device = newDevice();
		const noProtocol = await app.request('/api/sync/pull', {
			headers: { [Header.device]: device }
		});
		expect(noProtocol.status).toBe(426);
		expect(v.parse(ErrorBody, await noProtocol.json()).error.code).toBe('unsupported_protocol');
		const noDevice = await app.request('/api/sync/pull', {
			headers: { [Header.protocol]: String(PROTOCOL_VERSION) }
		});
		expect(noDevice.status).toBe(400);
		expect(v.parse(ErrorBody, await noDevice.json()).error.code).toBe('missing_device');
	});
});
