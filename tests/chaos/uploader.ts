/**
 * A device sending photos over tus through the chaos proxy, resuming as tus-js-client
 * does: after any failure it asks HEAD where the server stands and sends the rest, and
 * when HEAD says every byte is there it takes the file for sent. That last rule is why
 * a file whose recording failed (database faults, db-faults.ts) must be recorded by that
 * HEAD: the device would otherwise submit an application the server refuses
 * file_missing, for good. The check: every file an uploader took for sent is recorded.
 */
import { signatureHeaders } from '../../shared/device-signature';
import { FILES_PATH, tusSigningBody } from '../../shared/files';
import { Header, PROTOCOL_VERSION } from '../../shared/protocol';
import { openDatabase, type DeviceIdentity } from '../../app/lib/db/database';
import { deviceIdentity } from '../../app/lib/sync/device';
import { sessionTokens } from '../../app/lib/sync/session-tokens';
import type { SessionTokens } from '../../app/lib/sync/transport';
import { sleep, type Rng } from './random';
import { signIn, type CodeReader, type Person } from './sign-in';
import { samplePhoto, sha256Hex } from '../support/sample-photo';

const CHUNK = 16 * 1024;

export interface UploaderStats {
	/** Files the uploader took for sent: each must be recorded for its owner. */
	sent: number;
	/** Answers 503 database_unavailable, each followed by a retry. */
	unavailable: number;
	/** Times HEAD said "complete" after the last PATCH got no success answer. */
	completeOnHead: number;
	/** Refusals of a valid file: each is a violation. */
	refused: string[];
}

export class Uploader {
	readonly name: string;
	readonly identity: DeviceIdentity;
	readonly #baseUrl: string;
	readonly #rng: Rng;
	readonly #session: SessionTokens;
	/** The SHA-256 of every file taken for sent. */
	readonly sent: string[] = [];
	readonly stats: UploaderStats = { sent: 0, unavailable: 0, completeOnHead: 0, refused: [] };

	private constructor(
		name: string,
		identity: DeviceIdentity,
		session: SessionTokens,
		baseUrl: string,
		rng: Rng
	) {
		this.name = name;
		this.identity = identity;
		this.#session = session;
		this.#baseUrl = baseUrl;
		this.#rng = rng;
	}

	/**
	 * A new device (its key kept in IndexedDB, as the app keeps it) whose `person` signs in
	 * straight at the server, before the faults start; it then uploads through `baseUrl`.
	 */
	static async open(
		name: string,
		person: Person,
		baseUrl: string,
		rng: Rng,
		signInAt: { serverUrl: string; readCode: CodeReader }
	): Promise<Uploader> {
		const db = openDatabase(name);
		await db.open();
		const identity = await deviceIdentity(db);
		await signIn(db, person, signInAt.serverUrl, signInAt.readCode);
		const session = sessionTokens(db, identity, { baseUrl });
		return new Uploader(name, identity, session, baseUrl, rng);
	}

	/** Uploads files one after another until `stop()` says so, then finishes the one under way. */
	async run(stop: () => boolean, deadline: number): Promise<void> {
		for (let n = 0; !stop(); n++) {
			await this.upload(
				samplePhoto(this.#rng.int(20_000, 120_000), this.#rng.int(1, 1e9)),
				deadline
			);
			await sleep(this.#rng.int(50, 400));
		}
	}

	/** Sends one file until it is taken for sent (or refused, which the checks report). */
	async upload(bytes: Uint8Array, deadline: number): Promise<void> {
		const sha256 = sha256Hex(bytes);
		let location: string | undefined;
		let offset = 0;
		let afterFailure = false;
		for (;;) {
			if (Date.now() > deadline) throw new Error(`${this.name}: upload ${sha256} never finished`);
			try {
				if (!location) {
					const res = await this.#tus('POST', FILES_PATH, {
						'Upload-Length': String(bytes.length),
						'Upload-Metadata': `sha256 ${b64(sha256)},type ${b64('image/jpeg')}`
					});
					if (res.status !== 201) throw new Failed(res.status, await res.text());
					location = new URL(res.headers.get('Location')!, this.#baseUrl).pathname;
					offset = 0;
				} else if (afterFailure) {
					const res = await this.#tus('HEAD', location);
					if (res.status >= 400 && res.status < 500) {
						// tus-js-client's rule: an upload HEAD refuses is started again.
						location = undefined;
						continue;
					}
					if (res.status !== 200) throw new Failed(res.status, '');
					offset = Number(res.headers.get('Upload-Offset'));
					if (offset === bytes.length) {
						this.stats.completeOnHead += 1;
						return this.#sent(sha256);
					}
				}
				afterFailure = false;
				while (offset < bytes.length) {
					const chunk = bytes.subarray(offset, offset + CHUNK);
					const res = await this.#tus(
						'PATCH',
						location,
						{ 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
						chunk
					);
					if (res.status !== 204) throw new Failed(res.status, await res.text());
					offset = Number(res.headers.get('Upload-Offset'));
				}
				return this.#sent(sha256);
			} catch (error) {
				afterFailure = true;
				if (error instanceof Failed) {
					if (error.status === 503) this.stats.unavailable += 1;
					// A refusal of a valid file is the server's bug: report it, stop this file.
					if (error.status >= 400 && error.status < 500 && ![409, 423].includes(error.status)) {
						this.stats.refused.push(`${sha256}: ${error.status} ${error.body}`);
						return;
					}
				}
				await sleep(this.#rng.int(100, 600));
			}
		}
	}

	#sent(sha256: string): void {
		this.sent.push(sha256);
		this.stats.sent += 1;
	}

	async #tus(method: string, path: string, extra: Record<string, string> = {}, body?: Uint8Array) {
		const headers = new Headers({
			[Header.protocol]: String(PROTOCOL_VERSION),
			[Header.device]: this.identity.id,
			Authorization: `Bearer ${await this.#session.current()}`,
			'Tus-Resumable': '1.0.0',
			...extra
		});
		const signed = { method, pathAndQuery: path, body: tusSigningBody(headers) };
		for (const [name, value] of Object.entries(
			await signatureHeaders(this.identity.privateKey, signed, Date.now())
		)) {
			headers.set(name, value);
		}
		return fetch(this.#baseUrl + path, {
			method,
			headers,
			...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}),
			signal: AbortSignal.timeout(15_000)
		});
	}
}

class Failed extends Error {
	constructor(
		readonly status: number,
		readonly body: string
	) {
		super(`answered ${status}`);
	}
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
