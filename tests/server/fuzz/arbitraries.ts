/**
 * Requests as an attacker (or a badly broken client) would send them, for fast-check:
 * any method, the known paths and mutations of them, malformed and huge headers, and
 * bodies that are almost right (a valid request with one field changed), junk, huge,
 * deeply nested, compressed wrongly, or full of SQL and script. Most are signed by a
 * registered device over exactly what is sent, so they get past the signature check and
 * reach the code that parses, validates and writes.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { Header, PROTOCOL_VERSION } from '../../../shared/protocol';
import { currentTotp, STAFF_PASSWORD, type World } from '../authorization/world';
import { amend, rawAnswers, submit, validIin } from '../helpers';

/**
 * Who signs a fuzzed request, if anyone: the world's devices (Alice's second device is
 * the one whose session expired; the staff's are signed in, reviewers of Alice's region and
 * of Bob's), a device never registered, or nobody.
 */
export type Signer =
	| 'alice'
	| 'aliceSecondDevice'
	| 'bob'
	| 'regionReviewer'
	| 'otherReviewer'
	| 'administrator'
	| 'unknownDevice'
	| 'nobody';

/**
 * The session token a request shows (`Authorization: Bearer`): none; the signer's own
 * live one (Alice's second device has only an expired one); the expired one; another
 * device's (stolen); one ended by sign-out; or a malformed one (`junk`).
 */
export type SessionShown = 'none' | 'own' | 'expired' | 'another' | 'signedOut' | 'malformed';

export interface FuzzRequest {
	method: string;
	path: string;
	/** Sent, and (for tus paths) part of what is signed. */
	headers: [string, string][];
	/** Set after signing, over the credentials: malformed signature headers. */
	after: [string, string][];
	body?: Uint8Array;
	signer: Signer;
	/** Shown before the fuzzed headers are set, so one of them may still replace it. */
	session: { shown: SessionShown; junk: string };
}

const encoder = new TextEncoder();
const bytesOf = (text: string) => encoder.encode(text);

/** Texts that break naive code: SQL, script, format strings, controls, bidi, NUL. */
export const hostileText = fc.constantFrom(
	"'; drop table applications; --",
	"' or '1'='1",
	'1; select pg_sleep(10)',
	'<script>alert(1)</script>',
	'"><img src=x onerror=alert(1)>',
	'${7*7}{{7*7}}%s%n%x',
	'\u0000',
	'a\u0000b',
	'\u202eevil\u202c',
	'\u0007\u0085\u009b',
	'\ud800',
	'𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ Қазақша Русский',
	'../../../../etc/passwd',
	'%00%2e%2e%2f',
	'__proto__',
	'constructor',
	'NaN',
	'-0',
	'1e309',
	''
);

const someText = fc.oneof(
	{ weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
	{ weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
	{ weight: 3, arbitrary: hostileText },
	{
		weight: 1,
		arbitrary: fc
			.tuple(fc.constantFrom('x', 'é', '€', '\u0000'), fc.integer({ min: 1_000, max: 200_000 }))
			.map(([c, n]) => c.repeat(n))
	}
);

/** Any JSON value, including the hostile texts, big numbers and deep nesting. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
	{ weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
	{ weight: 3, arbitrary: someText },
	{
		weight: 2,
		arbitrary: fc.constantFrom(
			0,
			-1,
			1.5,
			2 ** 31,
			2 ** 53 + 1,
			-(2 ** 63),
			1e308,
			true,
			null,
			[],
			{},
			'1',
			'2026-02-30'
		)
	},
	{
		weight: 1,
		arbitrary: fc.integer({ min: 50, max: 2_000 }).map((depth) => {
			let value: unknown = 'deep';
			for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
			return value;
		})
	}
);

type Json = Record<string, unknown> | unknown[];

/** The paths to every value inside `value`, objects and arrays alike. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
	if (value === null || typeof value !== 'object') return [prefix];
	const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
	return [
		prefix,
		...keys.flatMap((key) => pathsOf((value as Json)[key as never], [...prefix, key]))
	];
}

/** `value` with one part replaced, removed or given an extra member. */
function mutateJson(value: unknown): fc.Arbitrary<unknown> {
	const paths = pathsOf(value);
	return fc
		.tuple(
			fc.integer({ min: 0, max: paths.length - 1 }),
			fc.constantFrom('replace', 'delete', 'add'),
			anyValue,
			fc.constantFrom('extra', '__proto__', 'constructor', '', 'answers', 'seq')
		)
		.map(([index, action, replacement, extraKey]) => {
			const copy = structuredClone(value);
			const path = paths[index]!;
			if (path.length === 0) return action === 'replace' ? replacement : copy;
			let parent = copy as Json;
			for (const key of path.slice(0, -1)) parent = (parent as never)[key] as Json;
			const last = path.at(-1)!;
			const target = parent as Record<string | number, unknown>;
			if (action === 'replace') target[last] = replacement;
			else if (action === 'delete') delete target[last];
			else if (typeof target[last] === 'object' && target[last] !== null) {
				(target[last] as Record<string, unknown>)[extraKey] = replacement;
			} else target[last] = replacement;
			return copy;
		});
}

// Fresh ids and seqs above any recorded, drawn outside fast-check: the world changes as
// requests are served, so a replayed id would test only the duplicate path.
const freshSeq = (base: number) => base + Math.floor(Math.random() * 1e6);

/**
 * What the fuzz run has seen of the world as it changes: each application's version now,
 * so some decisions are made on the right one and get past the conflict check.
 */
export interface Seen {
	version: Record<'alice' | 'bob', number>;
}

/** Bodies of the shape each endpoint expects, made for `world`. */
function endpointBodies(world: World, seen: Seen) {
	const app = (who: 'alice' | 'bob') => world[who].applicationId;
	return {
		push: fc.oneof(
			fc.constant(null).map(() => ({ mutations: [submit({ seq: freshSeq(5_000) })] })),
			fc
				.tuple(fc.constantFrom<'alice' | 'bob'>('alice', 'bob'), fc.integer({ min: 1, max: 3 }))
				.map(([who, base]) => ({
					mutations: [amend(app(who), base, { seq: freshSeq(2_000_000) })]
				})),
			hostileText.map((text) => ({
				mutations: Array.from({ length: 3 }, (_, i) =>
					submit({
						seq: freshSeq(3_000_000) + i,
						answers: rawAnswers([{ fullName: text }, { address: text }, { businessName: text }][i])
					})
				)
			}))
		),
		register: fc.constantFrom(
			{ publicKey: world.unknownDevice.publicKey },
			{ publicKey: world.alice.device.publicKey }
		),
		// The retired link routes: whatever is sent, 410.
		accept: fc.constantFrom({}, { code: 'abcde fghjk' }, { code: 'ABCDE-FGHJK' }),
		code: fc.constantFrom(
			{ iin: validIin(7), phone: '+77010000002' },
			{ iin: world.alice.iin, phone: '+77010000000' },
			{ iin: '000000000000', phone: '+77010000000' }
		),
		// The world's live challenge: right, or one digit or field changed.
		confirm: fc.constant(null).map(() => ({
			challengeId: world.challenge.id,
			code: world.challenge.code
		})),
		enroll: fc.constant(null).map(() => ({ token: world.newcomer.token })),
		setPassword: fc.constant(null).map(() => ({
			token: world.newcomer.token,
			password: 'a long fuzzed password',
			totp: currentTotp(world.newcomer.totpSecret)
		})),
		signIn: fc.constant(null).map(() => ({
			login: world.staffSigner.login,
			password: STAFF_PASSWORD,
			totp: currentTotp(world.staffSigner.totpSecret)
		})),
		refresh: fc.constant(null).map(() => ({ refreshToken: world.alice.session.refreshToken })),
		decision: fc.oneof(
			fc
				.tuple(
					fc.constantFrom<'alice' | 'bob'>('alice', 'bob'),
					fc.constantFrom('in_review', 'approved')
				)
				.map(([who, status]) => ({ status, baseVersion: seen.version[who] })),
			fc.constantFrom(
				{ status: 'in_review', baseVersion: 1 },
				{ status: 'approved', baseVersion: 2 },
				{ status: 'rejected', baseVersion: 1, reason: 'Missing the stamp.' },
				{ status: 'rejected', baseVersion: 1, reason: '<script>alert(1)</script>\u0000' },
				{ status: 'rejected', baseVersion: 1, reasonCode: 'already_registered' },
				{ status: 'rejected', baseVersion: 1, reasonCode: 'no_such_reason' },
				{
					status: 'more_information',
					baseVersion: 1,
					fields: ['businessName', 'address'],
					message: 'Send the certificate again.'
				},
				{ status: 'more_information', baseVersion: 1, fields: ['nope'], message: 'x' }
			)
		)
	};
}

/** A valid body, or one with a field changed, as JSON bytes. */
const asSent = (valid: fc.Arbitrary<unknown>) =>
	fc.oneof(
		{ weight: 1, arbitrary: valid.map((body) => bytesOf(JSON.stringify(body))) },
		{
			weight: 3,
			arbitrary: valid.chain(mutateJson).map((body) => bytesOf(JSON.stringify(body) ?? 'undefined'))
		}
	);

function validBodies(world: World, seen: Seen): fc.Arbitrary<unknown> {
	return fc.oneof(...Object.values(endpointBodies(world, seen)));
}

function bodies(world: World, seen: Seen): fc.Arbitrary<Uint8Array | undefined> {
	const valid = validBodies(world, seen);
	return fc.oneof(
		{ weight: 2, arbitrary: fc.constant(undefined) },
		{ weight: 3, arbitrary: valid.map((body) => bytesOf(JSON.stringify(body))) },
		{
			weight: 8,
			arbitrary: valid.chain(mutateJson).map((body) => bytesOf(JSON.stringify(body) ?? 'undefined'))
		},
		{ weight: 2, arbitrary: fc.json({ maxDepth: 4 }).map(bytesOf) },
		{
			weight: 1,
			arbitrary: valid.chain((body) => {
				const text = JSON.stringify(body);
				return fc.integer({ min: 0, max: text.length }).map((n) => bytesOf(text.slice(0, n)));
			})
		},
		{ weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
		{
			weight: 1,
			arbitrary: fc
				.integer({ min: 1_000, max: 200_000 })
				.map((depth) => bytesOf('['.repeat(depth) + ']'.repeat(depth)))
		},
		{
			weight: 1,
			arbitrary: fc
				.integer({ min: 500_000, max: 1_200_000 })
				.map((size) => bytesOf(JSON.stringify({ mutations: [], pad: 'x'.repeat(size) })))
		},
		{ weight: 1, arbitrary: fc.constant(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])) },
		{
			weight: 2,
			arbitrary: fc.oneof(
				valid.map((body) => new Uint8Array(gzipSync(JSON.stringify(body)))),
				// A bomb: small on the wire, far over the body limit inflated.
				fc.constant(new Uint8Array(gzipSync(new Uint8Array(3_000_000)))),
				valid.map((body) => new Uint8Array(gzipSync(JSON.stringify(body))).subarray(0, 12))
			)
		}
	);
}

/** A header value as it may arrive on the wire: bytes, shown as Latin-1. */
const wire = (text: string) =>
	Buffer.from(text, 'utf8')
		.toString('latin1')
		.replace(/[\r\n\0]/g, '')
		.trim();

const junkValue = fc.oneof(someText, fc.string({ unit: 'binary-ascii', maxLength: 60 })).map(wire);

/** Access tokens that are almost right: the prefix, a wrong length or alphabet, a refresh token. */
const malformedToken = fc.oneof(
	fc.constantFrom('da_', `da_${'A'.repeat(42)}`, `da_${'A'.repeat(44)}`, `da_${'*'.repeat(43)}`),
	fc.constantFrom(`dr_${'A'.repeat(43)}`, `ds_${'A'.repeat(43)}`, `da_${'A'.repeat(10_000)}`),
	fc.stringMatching(/^da_[A-Za-z0-9_-]{43}$/),
	junkValue.map((v) => `da_${v}`)
);

const sessionShown = fc.record({
	shown: fc.constantFrom<SessionShown>(
		'own',
		'own',
		'own',
		'none',
		'expired',
		'another',
		'signedOut',
		'malformed'
	),
	junk: malformedToken
});
const noSession = fc.constant<FuzzRequest['session']>({ shown: 'none', junk: '' });

const headerValues: Record<string, fc.Arbitrary<string>> = {
	[Header.protocol]: fc.oneof(
		fc.constantFrom(String(PROTOCOL_VERSION), '0', '2', '999999', '1.0', ' 1', '01', '-1', '1e0'),
		junkValue
	),
	[Header.device]: fc.oneof(
		fc.constantFrom('A'.repeat(43), 'A'.repeat(44), '', '../x', 'a'.repeat(10_000)),
		junkValue
	),
	[Header.signature]: fc.oneof(
		fc.constantFrom('A'.repeat(86), 'A'.repeat(85), '*'.repeat(86), 'A'.repeat(100_000)),
		junkValue
	),
	'Content-Type': fc.constantFrom(
		'application/json',
		'text/plain',
		'application/offset+octet-stream',
		'multipart/form-data; boundary=x',
		'application/json; charset=utf-16'
	),
	'Content-Encoding': fc.constantFrom(
		'gzip',
		'GZIP',
		'br',
		'deflate',
		'identity',
		'gzip, gzip',
		'x'
	),
	'Accept-Encoding': fc.constantFrom('gzip', 'br', 'deflate', '*', 'gzip;q=0', 'identity'),
	Authorization: fc.oneof(
		// The last: a long random bearer that is no session, as the retired review token was.
		fc.constantFrom('Bearer', 'Basic YTpi', 'bearer fuzz-review-token-0123456789abcdef'),
		junkValue.map((v) => `Bearer ${v}`),
		malformedToken.map((v) => `Bearer ${v}`)
	),
	'Tus-Resumable': fc.constantFrom('1.0.0', '0.2.2', '', 'x'),
	'Upload-Length': fc.oneof(
		fc.constantFrom('0', '1', '100', '-1', '10485761', '99999999999', '1e3', ' 5'),
		junkValue
	),
	'Upload-Offset': fc.oneof(
		fc.constantFrom('0', '4', '-1', '1e9', '99999999999999999999'),
		junkValue
	),
	'Upload-Metadata': fc.oneof(
		fc.constantFrom(
			`sha256 ${Buffer.from('a'.repeat(64)).toString('base64')},type ${Buffer.from('image/jpeg').toString('base64')}`,
			'sha256,type',
			'sha256 !!!,type ???',
			`filename ${Buffer.from('x').toString('base64')}`,
			',,,',
			'a b c'
		),
		junkValue
	),
	'Upload-Concat': fc.constantFrom('partial', 'final;/api/files/a /api/files/b'),
	'Upload-Defer-Length': fc.constantFrom('1', '0'),
	'Upload-Checksum': fc.constantFrom('sha1 abc', 'md5 x'),
	'X-HTTP-Method-Override': fc.constantFrom('DELETE', 'PATCH', 'HEAD'),
	'If-None-Match': fc.oneof(fc.constantFrom('*', 'W/"x"', '"a", "b"'), junkValue),
	'Content-Length': fc.constantFrom('0', '5', '99999999', '-1', 'abc'),
	'X-Forwarded-For': junkValue
};

const header = fc.oneof(
	{
		weight: 6,
		arbitrary: fc
			.constantFrom(...Object.keys(headerValues))
			.chain((name) => headerValues[name]!.map((value): [string, string] => [name, value]))
	},
	{
		weight: 1,
		arbitrary: fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,30}$/), junkValue)
	}
);

/** A pull with a query of junk, big or missing values. */
const pullPath = (() => {
	const cursor = fc.oneof(
		fc.constantFrom('', 'AAAA', Buffer.from('1.1.owner').toString('base64url')),
		fc.string({ maxLength: 80 }).map((s) => Buffer.from(s).toString('base64url')),
		junkValue.map(encodeURIComponent)
	);
	const limit = fc.constantFrom('1', '0', '-1', '500', '501', '999999', '1e3', 'abc', '');
	return fc.tuple(fc.option(cursor), fc.option(limit)).map(([c, l]) => {
		const query = [c !== null ? `cursor=${c}` : '', l !== null ? `limit=${l}` : '']
			.filter(Boolean)
			.join('&');
		return `/api/sync/pull${query ? `?${query}` : ''}`;
	});
})();

/** The paths of the API and the app, with the ids of `world` filled in. */
function knownPaths(world: World): fc.Arbitrary<string> {
	const id = fc.oneof(
		fc.constantFrom(world.alice.applicationId, world.bob.applicationId),
		fc.constant(null).map(() => uuidv7()),
		fc.constantFrom('not-a-uuid', '00000000-0000-0000-0000-000000000000', "1' or '1'='1")
	);
	const deviceId = fc.oneof(
		fc.constantFrom(
			world.alice.device.id,
			world.aliceSecondDevice.id,
			world.bob.device.id,
			world.revokedDevice.id,
			world.anonymous.id
		),
		fc.constantFrom('A'.repeat(43), '%00', 'a%00b', 'x'.repeat(10_000), "1' or '1'='1", '..')
	);
	const account = fc.oneof(
		fc.constantFrom(world.alice.accountId, world.bob.accountId, world.administrator.accountId),
		fc.constantFrom('', 'not-a-uuid', '00000000-0000-0000-0000-000000000000', '%00', "'")
	);
	return fc.oneof(
		fc.constantFrom(
			'/api/accounts',
			'/api/accounts/citizen/code',
			'/api/accounts/citizen/confirm',
			'/api/accounts/staff/enroll',
			'/api/accounts/staff/set-password',
			'/api/accounts/staff/sign-in',
			'/api/accounts/session/refresh',
			'/api/accounts/session/sign-out',
			'/api/accounts/me',
			'/api/accounts/devices',
			'/api/office',
			'/api/office/applications'
		),
		account.map((value) => `/api/accounts/devices?account=${value}`),
		fc
			.tuple(deviceId, fc.option(account))
			.map(
				([value, named]) =>
					`/api/accounts/devices/${value}/revoke${named === null ? '' : `?account=${named}`}`
			),
		id.map((value) => `/api/office/applications/${encodeURIComponent(value)}/decision`),
		fc.constantFrom(
			'/api/health',
			'/api/services',
			'/api/sync/register',
			'/api/sync/link/offer',
			'/api/sync/link/accept',
			'/api/sync/push',
			'/api/sync/pull',
			'/api/files',
			world.alice.uploadPath,
			world.bob.uploadPath,
			`/api/files/${world.alice.fileSha256}`,
			`/api/files/${world.bob.fileSha256}`,
			`/api/files/${'0'.repeat(32)}`,
			'/api',
			'/',
			'/index.html'
		),
		pullPath
	);
}

/** A path changed in one way a router or a decoder might trip on. */
const pathMutation = fc.oneof(
	{ weight: 6, arbitrary: fc.constant((path: string) => path) },
	{
		weight: 6,
		arbitrary: fc
			.oneof(
				fc.constantFrom('%', '%zz', '%00', '%2e%2e', '..', '.', ';x', '%2F', '%C0%AF', '~', '*'),
				fc.string({ maxLength: 12 }).map(encodeURIComponent),
				fc.string({ unit: 'grapheme', maxLength: 6 })
			)
			.chain((segment) =>
				fc.constantFrom(
					(path: string) => `${path}/${segment}`,
					(path: string) => `${path}${segment}`,
					(path: string) => path.replace(/\/[^/]*$/, `/${segment}`),
					(path: string) => `${path}?${segment}=${segment}`,
					(path: string) => `/${segment}${path}`
				)
			)
	},
	{
		weight: 2,
		arbitrary: fc.constantFrom(
			(path: string) => `${path}/`,
			(path: string) => path.replace('/api', '/API'),
			(path: string) => path.replace('/', '//'),
			(path: string) => `${path}?cursor=a&cursor=b&limit=1&limit=2`,
			(path: string) => `${path}#fragment`,
			(path: string) => `${path}/${'a'.repeat(5_000)}`
		)
	}
);

const method = fc.oneof(
	{ weight: 8, arbitrary: fc.constantFrom('GET', 'POST') },
	{ weight: 3, arbitrary: fc.constantFrom('PATCH', 'DELETE', 'HEAD', 'PUT', 'OPTIONS') },
	{ weight: 1, arbitrary: fc.constantFrom('PROPFIND', 'BREW', 'get', 'Post') }
);

const device = fc.constantFrom<Signer>('alice', 'alice', 'bob');
const oneHeader = fc.array(header, { maxLength: 1 });
const noBody = fc.constant(undefined);

/** One request of the shape an endpoint expects, as its kind of caller sends it. */
function call(
	method: string,
	path: string | fc.Arbitrary<string>,
	body: fc.Arbitrary<Uint8Array | undefined>,
	signer: fc.Arbitrary<Signer>,
	headers: fc.Arbitrary<[string, string][]> = oneHeader,
	session: fc.Arbitrary<FuzzRequest['session']> = noSession
): fc.Arbitrary<FuzzRequest> {
	return fc.record({
		method: fc.constant(method),
		path: typeof path === 'string' ? fc.constant(path) : path,
		headers,
		after: fc.constant<[string, string][]>([]),
		body,
		signer,
		session
	});
}

/** A signed-in call: a device of someone signed in, mostly showing its own session. */
const signedIn = fc.constantFrom<Signer>(
	'alice',
	'alice',
	'bob',
	'aliceSecondDevice',
	'regionReviewer',
	'administrator'
);

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** tus headers as tus-js-client sends them, one of them perhaps replaced with junk. */
const tusHeaders = (base: fc.Arbitrary<[string, string][]>) =>
	fc
		.tuple(base, oneHeader)
		.map(([own, extra]): [string, string][] => [['Tus-Resumable', '1.0.0'], ...own, ...extra]);

/**
 * Requests each aimed at one endpoint with the right method and caller, wrong in at most
 * a field or a header: these get past the door and into parsing, rules and writes.
 */
function aimedRequest(world: World, seen: Seen): fc.Arbitrary<FuzzRequest> {
	const bodies = endpointBodies(world, seen);
	const upload = fc.constantFrom(world.alice.uploadPath, world.bob.uploadPath);
	const creation = fc
		.tuple(
			fc.constantFrom('1', '100', '5000', '10485760', '10485761'),
			fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string({ maxLength: 70 })),
			fc.constantFrom('image/jpeg', 'image/png', 'application/pdf', 'image/gif', 'text/html')
		)
		.map(([length, sha, type]): [string, string][] => [
			['Upload-Length', length],
			['Upload-Metadata', `sha256 ${b64(sha)},type ${b64(type)}`]
		]);
	const append = fc.constantFrom('0', '4', '-1', '99').map((offset): [string, string][] => [
		['Upload-Offset', offset],
		['Content-Type', 'application/offset+octet-stream']
	]);
	return fc.oneof(
		{
			weight: 6,
			arbitrary: call(
				'POST',
				'/api/sync/push',
				asSent(bodies.push),
				signedIn,
				oneHeader,
				sessionShown
			)
		},
		{ weight: 3, arbitrary: call('GET', pullPath, noBody, signedIn, oneHeader, sessionShown) },
		{
			weight: 2,
			arbitrary: call(
				'POST',
				'/api/sync/register',
				asSent(bodies.register),
				fc.constant<Signer>('nobody')
			)
		},
		{ weight: 1, arbitrary: call('POST', '/api/sync/link/accept', asSent(bodies.accept), device) },
		{
			weight: 3,
			arbitrary: call(
				'POST',
				fc
					.constantFrom(world.alice.applicationId, world.bob.applicationId)
					.map((id) => `/api/office/applications/${id}/decision`),
				asSent(bodies.decision),
				fc.constant<Signer>('otherReviewer'),
				oneHeader,
				sessionShown
			)
		},
		{
			weight: 3,
			arbitrary: call('POST', '/api/files', noBody, signedIn, tusHeaders(creation), sessionShown)
		},
		{
			weight: 2,
			arbitrary: call(
				'PATCH',
				upload,
				fc.uint8Array({ minLength: 1, maxLength: 64 }),
				signedIn,
				tusHeaders(append),
				sessionShown
			)
		},
		{
			weight: 1,
			arbitrary: call('HEAD', upload, noBody, signedIn, tusHeaders(fc.constant([])), sessionShown)
		},
		{
			weight: 1,
			arbitrary: call(
				'GET',
				fc.constantFrom(
					`/api/files/${world.alice.fileSha256}`,
					`/api/files/${world.bob.fileSha256}`
				),
				noBody,
				signedIn,
				tusHeaders(fc.constant([])),
				sessionShown
			)
		},
		{
			weight: 1,
			arbitrary: call('GET', fc.constantFrom('/api/health', '/api/services'), noBody, device)
		},
		...accountCalls(world, seen)
	);
}

/** The accounts and office endpoints, each with its body and its kind of caller. */
function accountCalls(
	world: World,
	seen: Seen
): { weight: number; arbitrary: fc.Arbitrary<FuzzRequest> }[] {
	const bodies = endpointBodies(world, seen);
	const post = (path: string, body: fc.Arbitrary<unknown>, signer = device, shown = noSession) =>
		call('POST', path, asSent(body), signer, oneHeader, shown);
	const empty = fc.constant({});
	const deviceIds = fc.constantFrom(
		world.alice.device.id,
		world.aliceSecondDevice.id,
		world.bob.device.id,
		world.anonymous.id,
		'%00',
		'A'.repeat(43)
	);
	const accounts = fc.constantFrom(
		'',
		`?account=${world.alice.accountId}`,
		`?account=${world.bob.accountId}`
	);
	return [
		{ weight: 2, arbitrary: post('/api/accounts/citizen/code', bodies.code) },
		{ weight: 2, arbitrary: post('/api/accounts/citizen/confirm', bodies.confirm) },
		{ weight: 1, arbitrary: post('/api/accounts/staff/enroll', bodies.enroll) },
		{ weight: 1, arbitrary: post('/api/accounts/staff/set-password', bodies.setPassword) },
		{ weight: 1, arbitrary: post('/api/accounts/staff/sign-in', bodies.signIn) },
		{ weight: 1, arbitrary: post('/api/accounts/session/refresh', bodies.refresh) },
		{
			weight: 1,
			arbitrary: post('/api/accounts/session/sign-out', empty, signedIn, sessionShown)
		},
		{
			weight: 2,
			arbitrary: call(
				'GET',
				fc.constantFrom('/api/accounts/me', '/api/accounts/devices'),
				noBody,
				signedIn,
				oneHeader,
				sessionShown
			)
		},
		{
			weight: 1,
			arbitrary: call(
				'GET',
				accounts.map((query) => `/api/accounts/devices${query}`),
				noBody,
				signedIn,
				oneHeader,
				sessionShown
			)
		},
		{
			weight: 1,
			arbitrary: call(
				'POST',
				fc
					.tuple(deviceIds, accounts)
					.map(([id, query]) => `/api/accounts/devices/${id}/revoke${query}`),
				asSent(empty),
				signedIn,
				oneHeader,
				sessionShown
			)
		},
		{
			weight: 3,
			arbitrary: call(
				'POST',
				fc
					.constantFrom(world.alice.applicationId, world.bob.applicationId)
					.map((id) => `/api/office/applications/${id}/decision`),
				asSent(bodies.decision),
				fc.constantFrom<Signer>('regionReviewer', 'regionReviewer', 'administrator', 'alice'),
				oneHeader,
				sessionShown
			)
		},
		{
			weight: 2,
			arbitrary: fc.oneof(
				call(
					'GET',
					fc.constant('/api/accounts/staff'),
					noBody,
					fc.constantFrom<Signer>('administrator', 'regionReviewer', 'alice'),
					oneHeader,
					sessionShown
				),
				call(
					'POST',
					fc.constant('/api/accounts/staff'),
					asSent(
						fc.oneof(
							fc.record({
								role: fc.constantFrom('reviewer', 'officer', 'administrator', 'citizen', ''),
								region: fc.constantFrom('almaty', 'national', 'atlantis', '%00'),
								name: fc.string({ maxLength: 210 }),
								login: fc.option(fc.string({ maxLength: 70 }), { nil: undefined })
							}),
							fc.anything()
						)
					),
					fc.constantFrom<Signer>('administrator', 'administrator', 'regionReviewer'),
					oneHeader,
					sessionShown
				),
				call(
					'POST',
					fc
						.constantFrom(world.alice.accountId, 'x', '00000000-0000-0000-0000-000000000000')
						.map((id) => `/api/accounts/staff/${id}/disable`),
					asSent(fc.oneof(fc.constant({}), fc.anything())),
					fc.constantFrom<Signer>('administrator', 'regionReviewer'),
					oneHeader,
					sessionShown
				)
			)
		},
		{
			weight: 2,
			arbitrary: call(
				'GET',
				fc.oneof(
					queueQuery(world).map((query) => `/api/office/applications${query}`),
					fc.constant('/api/office/colleagues')
				),
				noBody,
				fc.constantFrom<Signer>('regionReviewer', 'regionReviewer', 'otherReviewer', 'alice'),
				oneHeader,
				sessionShown
			)
		},
		{
			weight: 1,
			arbitrary: call(
				'GET',
				fc
					.option(fc.string({ maxLength: 8 }))
					.map((q) => `/api/office/dashboard${q === null ? '' : `?${encodeURIComponent(q)}`}`),
				noBody,
				fc.constantFrom<Signer>('regionReviewer', 'otherReviewer', 'alice'),
				oneHeader,
				sessionShown
			)
		},
		{
			weight: 2,
			arbitrary: call(
				'GET',
				fc
					.tuple(
						fc.constantFrom(world.alice.applicationId, world.bob.applicationId, 'x', '%00'),
						fc.constantFrom('', `/files/${world.alice.fileSha256}`, '/files/%00', '/files/AB')
					)
					.map(([id, file]) => `/api/office/applications/${id}${file}`),
				noBody,
				fc.constantFrom<Signer>('regionReviewer', 'regionReviewer', 'otherReviewer', 'alice'),
				oneHeader,
				sessionShown
			)
		},
		{
			weight: 1,
			arbitrary: call(
				'POST',
				fc
					.constantFrom(world.alice.applicationId, world.bob.applicationId, 'x')
					.chain((id) =>
						fc.constantFrom(
							`/api/office/applications/${id}/claim`,
							`/api/office/applications/${id}/notes`
						)
					),
				asSent(
					fc.oneof(
						fc.constant({}),
						fc.record({ to: fc.oneof(fc.uuid(), fc.constant(world.alice.accountId), fc.string()) }),
						fc.record({
							text: fc.oneof(fc.string(), fc.string({ minLength: 1990, maxLength: 2100 }))
						}),
						fc.anything()
					)
				),
				fc.constantFrom<Signer>('regionReviewer', 'otherReviewer', 'alice'),
				oneHeader,
				sessionShown
			)
		}
	];
}

/** A work queue's query string: good and bad statuses, services, searches and cursors. */
function queueQuery(world: World): fc.Arbitrary<string> {
	const part = (name: string, values: fc.Arbitrary<string>) =>
		fc.option(values.map((value) => `${name}=${encodeURIComponent(value)}`));
	return fc
		.tuple(
			part('status', fc.constantFrom('waiting', 'received', 'approved', 'lost', '')),
			part('service', fc.constantFrom('individual-entrepreneur', 'NOPE', '%00', 'a'.repeat(80))),
			part(
				'q',
				fc.oneof(fc.constantFrom(world.alice.iin, 'DL-2026-000001', 'dl-2026-1'), fc.string())
			),
			part('after', fc.oneof(fc.base64String({ maxLength: 60 }), fc.string({ maxLength: 10 }))),
			part('other', fc.string({ maxLength: 5 }))
		)
		.map((parts) => {
			const query = parts.filter((p) => p !== null).join('&');
			return query ? `?${query}` : '';
		});
}

/** Any request to the app of `world`: aimed at an endpoint, or anything at all. */
export function fuzzRequest(world: World, seen: Seen): fc.Arbitrary<FuzzRequest> {
	return fc.oneof(
		{ weight: 1, arbitrary: aimedRequest(world, seen) },
		{ weight: 1, arbitrary: anyRequest(world, seen) }
	);
}

/** Any method, path, headers and body, from any caller. */
function anyRequest(world: World, seen: Seen): fc.Arbitrary<FuzzRequest> {
	return fc.record({
		method,
		path: fc.tuple(knownPaths(world), pathMutation).map(([path, mutate]) => mutate(path)),
		headers: fc.array(header, { maxLength: 4 }),
		after: fc.oneof(
			{ weight: 6, arbitrary: fc.constant<[string, string][]>([]) },
			{
				weight: 1,
				arbitrary: fc.array(
					fc
						.constantFrom(Header.device, Header.signature, Header.protocol)
						.chain((name) => headerValues[name]!.map((value): [string, string] => [name, value])),
					{ minLength: 1, maxLength: 2 }
				)
			}
		),
		body: bodies(world, seen),
		signer: fc.oneof(
			{ weight: 10, arbitrary: fc.constant<Signer>('alice') },
			{ weight: 3, arbitrary: fc.constant<Signer>('bob') },
			{ weight: 1, arbitrary: fc.constant<Signer>('aliceSecondDevice') },
			{ weight: 2, arbitrary: fc.constantFrom<Signer>('regionReviewer', 'administrator') },
			{ weight: 1, arbitrary: fc.constant<Signer>('unknownDevice') },
			{ weight: 2, arbitrary: fc.constant<Signer>('otherReviewer') },
			{ weight: 3, arbitrary: fc.constant<Signer>('nobody') }
		),
		session: fc.oneof({ weight: 1, arbitrary: noSession }, { weight: 2, arbitrary: sessionShown })
	});
}
