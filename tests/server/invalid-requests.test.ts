import { gzipSync } from 'node:zlib';
import * as v from 'valibot';
import { signatureHeaders } from '../../shared/device-signature';
import { describe, expect, it } from 'vitest';
import {
	ErrorBody,
	Header,
	MAX_BODY_BYTES,
	MAX_PUSH_BATCH,
	PROTOCOL_VERSION
} from '../../shared/protocol';
import { backends } from './backends';
import {
	amend,
	answer,
	bearer,
	counts,
	lastSeq,
	newDevice,
	pull,
	push,
	rawAnswers,
	submit,
	syncHeaders,
	useSuite,
	unregisteredDevice,
	type Answer,
	type App,
	type Device,
	type SendOptions
} from './helpers';

interface Case {
	name: string;
	send: (app: App, device: Device) => Promise<Answer>;
	status: number;
	code: string;
	/** Dotted paths that must be named in `issues` (invalid_body only). */
	issues?: string[];
}

// Each bad batch also carries a good mutation, so "nothing written" proves the whole
// request is refused before any of it is applied.
const good = () => submit();
const goodBody = () => ({ mutations: [good()] });
const withBody = (body: unknown, options?: SendOptions) => (app: App, device: Device) =>
	push(app, device, body, options);
const withHeaders =
	(headers: (signed: Record<string, string>) => Record<string, string>) =>
	(app: App, device: Device) =>
		push(app, device, goodBody(), { headers });
const without =
	(name: string) =>
	(signed: Record<string, string>): Record<string, string> =>
		Object.fromEntries(Object.entries(signed).filter(([key]) => key !== name));
const withoutSeq: Record<string, unknown> = { ...submit() };
delete withoutSeq.seq;
const oversize = 'x'.repeat(MAX_BODY_BYTES);
// Well-formed, and no device has it: nobody holds the key to this thumbprint.
const unregisteredId = 'A'.repeat(43);

const cases: Case[] = [
	{ name: 'malformed JSON', send: withBody('{"mutations": [{'), status: 400, code: 'invalid_json' },
	{ name: 'an empty body', send: withBody(''), status: 400, code: 'invalid_json' },
	{
		name: 'a body that is not UTF-8',
		send: withBody(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])),
		status: 400,
		code: 'invalid_json'
	},
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
		name: 'an amend without a base version',
		send: withBody({
			mutations: [good(), { ...amend(good().applicationId, 1, { seq: 2 }), baseVersion: 0 }]
		}),
		status: 400,
		code: 'invalid_body',
		issues: ['mutations.1.baseVersion']
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
		name: 'seqs that go down within the batch',
		send: withBody({ mutations: [submit({ seq: 2 }), submit({ seq: 1 })] }),
		status: 400,
		code: 'out_of_order'
	},
	{
		name: 'a body over the limit, streamed',
		send: withBody({ mutations: [submit({ answers: rawAnswers({ address: oversize }) })] }),
		status: 413,
		code: 'body_too_large'
	},
	{
		name: 'a body over the limit, announced by Content-Length',
		send: withBody(JSON.stringify({ mutations: [good()], pad: oversize }), {
			headers: (signed) => ({ ...signed, 'Content-Length': String(MAX_BODY_BYTES + 100) })
		}),
		status: 413,
		code: 'body_too_large'
	},
	{
		name: 'a gzip bomb: small compressed, over the limit inflated',
		send: withBody({ mutations: [good()], pad: ' '.repeat(3 * MAX_BODY_BYTES) }, { gzip: true }),
		status: 413,
		code: 'body_too_large'
	},
	{
		name: 'a body that says gzip but is not',
		send: withBody(goodBody(), {
			headers: (signed) => ({ ...signed, 'Content-Encoding': 'gzip' })
		}),
		status: 400,
		code: 'invalid_body'
	},
	{
		name: 'a truncated gzip body',
		send: async (app, device) => {
			const bytes = gzipSync(JSON.stringify(goodBody()));
			const cut = new Uint8Array(bytes.subarray(0, bytes.length - 12));
			return answer(
				app.request('/api/sync/push', {
					method: 'POST',
					headers: {
						...syncHeaders(device.id),
						...bearer(device),
						...(await signatureHeaders(
							device.privateKey,
							{ method: 'POST', pathAndQuery: '/api/sync/push', body: cut },
							Date.now()
						)),
						'Content-Encoding': 'gzip'
					},
					body: cut
				})
			);
		},
		status: 400,
		code: 'invalid_body'
	},
	{
		name: 'a content encoding other than gzip',
		send: withBody(goodBody(), { headers: (signed) => ({ ...signed, 'Content-Encoding': 'br' }) }),
		status: 415,
		code: 'invalid_body'
	},
	{
		name: 'a protocol version newer than the server',
		send: withHeaders((signed) => ({
			...signed,
			[Header.protocol]: String(PROTOCOL_VERSION + 1)
		})),
		status: 426,
		code: 'unsupported_protocol'
	},
	{
		name: 'protocol version 0',
		send: withHeaders((signed) => ({ ...signed, [Header.protocol]: '0' })),
		status: 426,
		code: 'unsupported_protocol'
	},
	{
		name: 'a protocol version that is not a number',
		send: withHeaders((signed) => ({ ...signed, [Header.protocol]: '1.0' })),
		status: 426,
		code: 'unsupported_protocol'
	},
	{
		name: 'no protocol header',
		send: withHeaders(without(Header.protocol)),
		status: 426,
		code: 'unsupported_protocol'
	},
	{
		name: 'no protocol header and no signature either (protocol is checked first)',
		send: withHeaders((signed) => without(Header.signature)(without(Header.protocol)(signed))),
		status: 426,
		code: 'unsupported_protocol'
	},
	{
		name: 'no device header',
		send: withHeaders(without(Header.device)),
		status: 400,
		code: 'missing_device'
	},
	{
		name: 'a device id that is not a key thumbprint',
		send: withHeaders((signed) => ({ ...signed, [Header.device]: 'my-phone' })),
		status: 400,
		code: 'missing_device'
	},
	{
		name: 'a device that is not registered',
		send: withHeaders((signed) => ({ ...signed, [Header.device]: unregisteredId })),
		status: 401,
		code: 'unknown_device'
	},
	{
		name: 'an unregistered device with no signature (device is checked before signature)',
		send: withHeaders((signed) => ({
			...without(Header.signature)(signed),
			[Header.device]: unregisteredId
		})),
		status: 401,
		code: 'unknown_device'
	},
	{
		name: 'no signature',
		send: withHeaders(without(Header.signature)),
		status: 401,
		code: 'bad_signature'
	},
	{
		name: 'a signature that is not base64url',
		send: withHeaders((signed) => ({ ...signed, [Header.signature]: '!'.repeat(86) })),
		status: 401,
		code: 'bad_signature'
	},
	{
		name: 'a signature over another body',
		send: withBody(goodBody(), {
			signBody: new TextEncoder().encode(JSON.stringify(goodBody()))
		}),
		status: 401,
		code: 'bad_signature'
	},
	{
		name: 'a signature over the inflated body instead of the bytes sent',
		send: async (app, device) => {
			const body = goodBody();
			return push(app, device, body, {
				gzip: true,
				signBody: new TextEncoder().encode(JSON.stringify(body))
			});
		},
		status: 401,
		code: 'bad_signature'
	},
	{
		name: 'a signature for another path',
		send: withBody(goodBody(), { signPath: '/api/sync/pull' }),
		status: 401,
		code: 'bad_signature'
	},
	{
		name: "a signature made with another device's key",
		send: async (app, device) => {
			const other = await unregisteredDevice();
			return push(app, device, goodBody(), { signKey: other.privateKey });
		},
		status: 401,
		code: 'bad_signature'
	},
	{
		name: "another registered device's signed request sent under this device's id",
		send: async (app, device) => {
			const other = await newDevice(app);
			return push(app, other, goodBody(), {
				headers: (signed) => ({ ...signed, [Header.device]: device.id })
			});
		},
		status: 401,
		code: 'bad_signature'
	}
];

describe.each(backends)('invalid requests on $name', (backend) => {
	const suite = useSuite(backend);

	it.each(cases)('refuses $name with $status $code and writes nothing', async (c) => {
		const device = await newDevice(suite.app);
		const before = await counts(suite.db);

		const res = await c.send(suite.app, device);

		expect(res.status).toBe(c.status);
		const body = v.parse(ErrorBody, res.json);
		expect(body.error.code).toBe(c.code);
		expect(body.error.message).not.toBe('');
		for (const path of c.issues ?? []) expect(body.error.issues).toHaveProperty([path]);
		expect(await counts(suite.db)).toEqual(before);
		expect(await lastSeq(suite.db, device.id)).toBe(0);

		// The server is unharmed: the next good request from the same device goes through.
		const next = await push(suite.app, device, { mutations: [good()] });
		expect(next.status).toBe(200);
		expect(next.json.results[0].status).toBe('applied');
	});

	it('checks the headers and the signature of a pull too', async () => {
		const device = await newDevice(suite.app);
		const path = '/api/sync/pull';
		const expectError = async (res: Answer, status: number, code: string) => {
			expect(res.status).toBe(status);
			expect(v.parse(ErrorBody, res.json).error.code).toBe(code);
		};
		await expectError(
			await pull(suite.app, device, {}, { headers: without(Header.protocol) }),
			426,
			'unsupported_protocol'
		);
		await expectError(
			await pull(suite.app, device, {}, { headers: without(Header.device) }),
			400,
			'missing_device'
		);
		await expectError(
			await pull(
				suite.app,
				device,
				{},
				{
					headers: (signed) => ({ ...signed, [Header.device]: unregisteredId })
				}
			),
			401,
			'unknown_device'
		);
		await expectError(
			await pull(suite.app, device, {}, { headers: without(Header.signature) }),
			401,
			'bad_signature'
		);
		// Signed for one query, sent with another: the query is part of what is signed.
		await expectError(
			await pull(suite.app, device, { limit: 1 }, { signPath: path }),
			401,
			'bad_signature'
		);
		await expectError(
			await pull(suite.app, device, {}, { signPath: '/api/sync/push' }),
			401,
			'bad_signature'
		);
		const ok = await pull(suite.app, device, { limit: 1 });
		expect(ok.status).toBe(200);
	});
});
