/**
 * A signed request changed in transit, a signature moved to another request, a revoked
 * device: refused (or shown nothing), and nothing written. Signing goes through
 * helpers.ts `signatureHeaders`, so when signatures carry a time and a nonce these tests
 * change in that one place.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Header } from '../../shared/protocol';
import { directoryStore } from '../../sync-server/files/store';
import { changed, ownerDigest, snapshot } from './authorization/snapshot';
import { newWorld } from './authorization/world';
import { backends } from './backends';
import {
	amend,
	answer,
	pull,
	push,
	signedRequest,
	signedTusRequest,
	submit,
	useSuite,
	newPerson,
	signedIn,
	type Answer
} from './helpers';

describe.each(backends)('tampered and revoked requests on $name', (backend) => {
	const dir = join(tmpdir(), `dala-tamper-${randomUUID()}`);
	const suite = useSuite(backend, { uploads: directoryStore(dir) });
	afterAll(() => rm(dir, { recursive: true, force: true }));

	/** Runs `send` and expects it refused with `code` and nothing written anywhere. */
	async function refusedWithNothingWritten(send: () => Promise<Answer>, code: string) {
		const before = await snapshot(suite.db, dir);
		const res = await send();
		expect(res.status).toBe(401);
		expect(res.json?.error?.code).toBe(code);
		expect(changed(before, await snapshot(suite.db, dir))).toEqual([]);
	}

	it('refuses a push whose body, path or gzip bytes changed after signing', async () => {
		const { app, alice } = await newWorld(suite.app, suite.db);
		const body = { mutations: [submit({ seq: 10 })] };
		const signedFor = new TextEncoder().encode(JSON.stringify(body));
		const changedAnswers = {
			mutations: [{ ...body.mutations[0], answers: { fullName: 'Mallory' } }]
		};
		await refusedWithNothingWritten(
			() => push(app, alice.device, changedAnswers, { signBody: signedFor }),
			'bad_signature'
		);
		await refusedWithNothingWritten(
			() => push(app, alice.device, body, { gzip: true, signBody: signedFor }),
			'bad_signature'
		);
		await refusedWithNothingWritten(
			() => push(app, alice.device, body, { signPath: '/api/sync/link/offer' }),
			'bad_signature'
		);
	});

	it('refuses a signature moved from one request to another', async () => {
		const { app, alice } = await newWorld(suite.app, suite.db);
		const offer = await signedRequest(alice.device, 'POST', '/api/sync/link/offer', {});
		const signature = new Headers(offer.headers).get(Header.signature)!;
		await refusedWithNothingWritten(
			() =>
				push(
					app,
					alice.device,
					{ mutations: [submit({ seq: 10 })] },
					{
						headers: (signed) => ({ ...signed, [Header.signature]: signature })
					}
				),
			'bad_signature'
		);
	});

	it('refuses an upload whose declared length or type changed after signing', async () => {
		const { app, alice, bob } = await newWorld(suite.app, suite.db);
		const init = await signedTusRequest(alice.device, 'POST', '/api/files', {
			'Upload-Length': '100',
			'Upload-Metadata': `sha256 ${Buffer.from('a'.repeat(64)).toString('base64')},type ${Buffer.from('image/jpeg').toString('base64')}`
		});
		const headers = new Headers(init.headers);
		headers.set('Upload-Length', '10000000');
		await refusedWithNothingWritten(
			() => answer(app.request('/api/files', { ...init, headers })),
			'bad_signature'
		);
		// Another device's signature over the same headers, under Alice's id.
		const forged = await signedTusRequest(bob.device, 'POST', '/api/files', {
			'Upload-Length': '100'
		});
		const asAlice = new Headers(forged.headers);
		asAlice.set(Header.device, alice.device.id);
		await refusedWithNothingWritten(
			() => answer(app.request('/api/files', { ...forged, headers: asAlice })),
			'bad_signature'
		);
	});

	it('shows a revoked device nothing of its person’s and lets it change nothing', async () => {
		const world = await newWorld(suite.app, suite.db);
		const { app, db, alice, revokedDevice } = world;
		const aliceBefore = await ownerDigest(db, alice.ownerId);

		// Its own ended session says it was revoked; no session is no session.
		const ended = { ...revokedDevice, accessToken: world.revoked.accessToken };
		expect((await pull(app, ended)).json.error.code).toBe('device_revoked');
		expect((await pull(app, revokedDevice)).json.error.code).toBe('session_invalid');
		// Whoever holds the phone now signs in as themselves, and still sees nothing of hers.
		const holder = await signedIn(app, revokedDevice, newPerson());
		const pulled = await pull(app, holder);
		expect(pulled.status).toBe(200);
		expect(pulled.json.changes).toEqual([]);
		const pushed = await push(app, holder, {
			mutations: [amend(alice.applicationId, 1, { seq: 100 })]
		});
		expect(pushed.json.results[0]).toMatchObject({ status: 'rejected', code: 'not_found' });
		const file = await answer(
			app.request(
				`/api/files/${alice.fileSha256}`,
				await signedTusRequest(holder, 'GET', `/api/files/${alice.fileSha256}`)
			)
		);
		expect(file.status).toBe(404);
		expect(await ownerDigest(db, alice.ownerId)).toBe(aliceBefore);
	});
});
