/**
 * A simulated Dala device speaking the sync protocol of shared/protocol.ts the way the app
 * does: a P-256 key made on the device, registered once, then its person signed in (a code
 * from the development sender's log); every push and pull signed with
 * shared/device-signature.ts over the exact bytes sent, at the moment it is sent (with its
 * time and a fresh nonce: the server serves each once, and only within its window), and
 * showing the person's session (protocol 3); push bodies gzipped.
 */
import type { Agent } from 'node:http';
import { gzipSync } from 'node:zlib';
import { v7 as uuidv7 } from 'uuid';
import * as v from 'valibot';
import { CitizenCodeResponse, Session } from '../../shared/accounts';
import { deviceIdOf, generateDeviceKey, signatureHeaders } from '../../shared/device-signature';
import {
	Header,
	PROTOCOL_VERSION,
	PullResponse,
	PushResponse,
	type DevicePublicKey,
	type Mutation
} from '../../shared/protocol';
import { withCheckDigit } from '../support/service-answers';
import { asQueued, type TypedApplication } from './documents';
import { bodyText, deviceAgent, send, type HttpResponse } from './http';
import type { SyncServer } from './processes';

/** Bench people: one per device, each with an IIN and a phone of their own. */
let people = 0;

/**
 * A push ready to go: built and compressed ahead, as a device does before it has signal.
 * Not signed: a signature is made when the push is sent (`sendPush`), as the app does,
 * since one made ahead would go stale in a run longer than the server's window.
 */
export interface PreparedPush {
	body: Buffer;
	/** The JSON of the mutations before compression, in bytes. */
	rawBytes: number;
	count: number;
}

/** An answer that is not a 2xx, or not what the protocol says: the benchmark stops. */
export class ProtocolError extends Error {
	constructor(what: string, response: HttpResponse) {
		super(`${what}: HTTP ${response.status} ${bodyText(response).slice(0, 300)}`);
		this.name = 'ProtocolError';
	}
}

export class Device {
	readonly agent: Agent = deviceAgent();
	#seq = 0;
	#accessToken = '';

	private constructor(
		readonly id: string,
		private readonly privateKey: CryptoKey,
		private readonly publicKey: DevicePublicKey,
		private readonly port: number
	) {}

	/** A new device with its own key, not yet known to the server. */
	static async create(port: number): Promise<Device> {
		const { privateKey, publicKey } = await generateDeviceKey();
		return new Device(await deviceIdOf(publicKey), privateKey, publicKey, port);
	}

	/** The headers every sync call carries. */
	#baseHeaders(): Record<string, string> {
		return {
			[Header.protocol]: String(PROTOCOL_VERSION),
			[Header.device]: this.id,
			// The server compresses pull pages and push results when asked to.
			'Accept-Encoding': 'gzip'
		};
	}

	/** A push or pull: signed, and showing the person's session. */
	async #syncHeaders(method: string, pathAndQuery: string, body?: Uint8Array) {
		return {
			...this.#baseHeaders(),
			...(await this.#sign(method, pathAndQuery, body)),
			Authorization: `Bearer ${this.#accessToken}`
		};
	}

	/** A signed JSON call of the accounts API; the benchmark stops on anything but 200. */
	async #account<T>(path: string, request: object, schema: v.GenericSchema<unknown, T>) {
		const body = Buffer.from(JSON.stringify(request));
		const headers = {
			...this.#baseHeaders(),
			...(await this.#sign('POST', path, body)),
			'Content-Type': 'application/json'
		};
		const response = await send(this.agent, this.port, 'POST', path, headers, body);
		if (response.status !== 200) throw new ProtocolError(path, response);
		return v.parse(schema, JSON.parse(bodyText(response)));
	}

	/**
	 * A person of its own signs in on the device (after `register`), reading the code from
	 * the server's log; every push and pull shows the session from then on. Not timed.
	 */
	async signIn(server: SyncServer): Promise<void> {
		const n = people++;
		const person = {
			iin: withCheckDigit(`77${String(n).padStart(6, '0')}`),
			phone: `+7705${String(n).padStart(7, '0')}`
		};
		const asked = await this.#account('/api/accounts/citizen/code', person, CitizenCodeResponse);
		const code = await server.signInCode(asked.maskedPhone);
		const session = await this.#account(
			'/api/accounts/citizen/confirm',
			{ challengeId: asked.challengeId, code },
			Session
		);
		this.#accessToken = session.accessToken;
	}

	/** `POST /api/sync/register`: the one unsigned call, made once per device. */
	async register(): Promise<void> {
		const body = Buffer.from(JSON.stringify({ publicKey: this.publicKey }));
		const headers = { ...this.#baseHeaders(), 'Content-Type': 'application/json' };
		const response = await send(this.agent, this.port, 'POST', '/api/sync/register', headers, body);
		if (response.status !== 200 && response.status !== 201) {
			throw new ProtocolError('register', response);
		}
	}

	/** Submit mutations for these applications as the app queues them, in this device's order. */
	submissions(applications: readonly TypedApplication[]): Mutation[] {
		return applications.map((typed) => ({
			id: uuidv7(),
			seq: ++this.#seq,
			type: 'application.submit',
			applicationId: uuidv7(),
			serviceId: typed.service.id,
			serviceVersion: typed.service.version,
			answers: asQueued(typed)
		}));
	}

	/** Serializes and gzips a push. */
	preparePush(mutations: readonly Mutation[]): PreparedPush {
		const json = Buffer.from(JSON.stringify({ mutations }));
		return { body: gzipSync(json), rawBytes: json.length, count: mutations.length };
	}

	/** The signature headers of a request sent now: time, a fresh nonce, signature. */
	#sign(method: string, pathAndQuery: string, body?: Uint8Array) {
		return signatureHeaders(this.privateKey, { method, pathAndQuery, body }, Date.now());
	}

	/**
	 * Signs a prepared push over the compressed bytes and sends it; the answer is checked
	 * later, outside any timed section. Signing (one ECDSA signature, ~0.1 ms) is in the
	 * timed section, as it is on a device.
	 */
	async sendPush(push: PreparedPush): Promise<HttpResponse> {
		const headers = {
			...(await this.#syncHeaders('POST', '/api/sync/push', push.body)),
			'Content-Type': 'application/json',
			'Content-Encoding': 'gzip'
		};
		return send(this.agent, this.port, 'POST', '/api/sync/push', headers, push.body);
	}

	/** One pull page after `cursor` (from the start when undefined). */
	async pull(
		cursor: string | undefined,
		limit?: number
	): Promise<{ response: HttpResponse; page: PullResponse }> {
		const query = new URLSearchParams();
		if (cursor !== undefined) query.set('cursor', cursor);
		if (limit !== undefined) query.set('limit', String(limit));
		const path = '/api/sync/pull' + (query.size ? `?${query}` : '');
		const headers = await this.#syncHeaders('GET', path);
		const response = await send(this.agent, this.port, 'GET', path, headers);
		if (response.status !== 200) throw new ProtocolError('pull', response);
		return { response, page: v.parse(PullResponse, JSON.parse(bodyText(response))) };
	}

	/** Closes the device's connection. */
	close(): void {
		this.agent.destroy();
	}
}

/** The results of a push, checked against the protocol; throws on any non-2xx answer. */
export function pushResults(response: HttpResponse): PushResponse['results'] {
	if (response.status !== 200) throw new ProtocolError('push', response);
	return v.parse(PushResponse, JSON.parse(bodyText(response))).results;
}
