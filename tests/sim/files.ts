/**
 * Photos in the simulation: a tus client over the faulty network, signed as the app signs
 * (app/lib/files/upload.ts uses tus-js-client, whose Node build speaks node:http and so
 * cannot go through the simulated network). Same protocol, same server, same Dexie rows:
 * resumes from the server's offset, treats a conflict or a cut link as "try again later"
 * and only a 4xx about the file as a refusal.
 */
import { createHash } from 'node:crypto';
import { Metadata } from '@tus/server';
import type { DalaDatabase, DeviceIdentity, StoredFile } from '../../app/lib/db/database';
import type { FileSender } from '../../app/lib/sync/attachments';
import { SESSION_ENDED, type SessionTokens } from '../../app/lib/sync/transport';
import { signatureHeaders } from '../../shared/device-signature';
import { FILES_PATH, tusSigningBody } from '../../shared/files';
import { Header, PROTOCOL_VERSION } from '../../shared/protocol';
import type { Random } from './random';

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** A small JPEG-looking file (the server checks the magic bytes and the hash, not pixels). */
export function simPhoto(random: Random): { bytes: Uint8Array; sha256: string } {
	const bytes = new Uint8Array(2000 + random.int(6000));
	for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(256);
	bytes.set([0xff, 0xd8, 0xff, 0xe0]);
	return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Kept beside Dexie: fake-indexeddb's structured clone does not keep a Blob's bytes. */
export const photoBytes = new Map<string, Uint8Array>();

/** The code of a refusal of the session shown (401), if its body could be read. */
async function sessionRefusal(response: Response): Promise<string | undefined> {
	if (response.status !== 401) return undefined;
	const body = (await response
		.clone()
		.json()
		.catch(() => null)) as { error?: { code?: string } } | null;
	return body?.error?.code;
}

export function simFileSender(
	db: DalaDatabase,
	identity: DeviceIdentity,
	baseUrl: string,
	fetch: Fetch,
	session: SessionTokens
): FileSender {
	const signed = async (
		method: string,
		path: string,
		headers: Record<string, string> = {},
		body?: Uint8Array
	) => {
		const all = new Headers({
			[Header.protocol]: String(PROTOCOL_VERSION),
			[Header.device]: identity.id,
			'Tus-Resumable': '1.0.0',
			...headers
		});
		// Signed at send time, as the app signs: the server serves each nonce once.
		const signed = { method, pathAndQuery: path, body: tusSigningBody(all) };
		for (const [name, value] of Object.entries(
			await signatureHeaders(identity.privateKey, signed, Date.now())
		)) {
			all.set(name, value);
		}
		return fetch(baseUrl + path, {
			method,
			headers: all,
			...(body ? { body: body as Uint8Array<ArrayBuffer> } : {})
		});
	};
	// Every request shows the person's session, as app/lib/sync/file-sender.ts does: renewed
	// once when it ran out, and when it ended for good the person signs in again.
	const request = async (
		method: string,
		path: string,
		headers: Record<string, string> = {},
		body?: Uint8Array
	) => {
		let token = await session.current();
		for (let renewed = false; ; renewed = true) {
			const shown = token ? { ...headers, Authorization: `Bearer ${token}` } : headers;
			const response = await signed(method, path, shown, body);
			const refused = await sessionRefusal(response);
			if (token && refused === 'session_expired' && !renewed) {
				token = await session.renew(token);
				continue;
			}
			if (token && SESSION_ENDED.has(refused)) throw await session.ended(token, refused!);
			return response;
		}
	};
	const register = async () => {
		const response = await fetch(`${baseUrl}/api/sync/register`, {
			method: 'POST',
			headers: {
				[Header.protocol]: String(PROTOCOL_VERSION),
				'Content-Type': 'application/json'
			},
			body: JSON.stringify({ publicKey: identity.publicKey })
		});
		if (!response.ok) throw new Error(`register: HTTP ${response.status}`);
	};
	const refusal = (status: number) =>
		status >= 400 && status < 500 && ![401, 404, 409, 410, 423, 426].includes(status);

	return {
		async send(fileId, onProgress) {
			const file = (await db.files.get(fileId))!;
			if (file.state !== 'waiting') return file;
			const finish = async (change: Partial<StoredFile>) => {
				await db.files.update(fileId, change);
				return { ...file, ...change };
			};
			const bytes = photoBytes.get(file.sha256)!;
			await register();

			const status = await request('GET', `${FILES_PATH}/${file.sha256}`);
			if (status.status === 200) return finish({ state: 'uploaded', offset: file.size });

			let url = file.uploadUrl;
			let offset = 0;
			if (url) {
				const head = await request('HEAD', url);
				if (head.status === 404 || head.status === 410) url = undefined;
				else if (!head.ok) throw new Error(`HEAD: HTTP ${head.status}`);
				else offset = Number(head.headers.get('Upload-Offset') ?? 0);
			}
			if (!url) {
				const created = await request('POST', FILES_PATH, {
					'Upload-Length': String(file.size),
					'Upload-Metadata': Metadata.stringify({ sha256: file.sha256, type: file.type })
				});
				if (refusal(created.status)) {
					return finish({ state: 'refused', refusal: String(created.status) });
				}
				if (created.status !== 201) throw new Error(`POST: HTTP ${created.status}`);
				url = created.headers.get('Location')!;
				await db.files.update(fileId, { uploadUrl: url });
			}
			if (offset < file.size) {
				const patched = await request(
					'PATCH',
					url,
					{ 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
					bytes.subarray(offset)
				);
				if (patched.status === 404 || patched.status === 410) {
					await db.files.update(fileId, { uploadUrl: undefined });
					throw new Error('the upload is gone');
				}
				if (refusal(patched.status)) {
					return finish({
						state: 'refused',
						refusal: String(patched.status),
						uploadUrl: undefined
					});
				}
				if (patched.status !== 204) throw new Error(`PATCH: HTTP ${patched.status}`);
			}
			onProgress(file.size, file.size);
			// Whole on the server; recorded only if it hashed to its name.
			const verified = await request('GET', `${FILES_PATH}/${file.sha256}`);
			if (verified.status === 200) return finish({ state: 'uploaded', offset: file.size });
			throw new Error(`not verified yet: HTTP ${verified.status}`);
		}
	};
}
