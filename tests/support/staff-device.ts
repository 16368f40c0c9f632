/**
 * A staff member for suites that talk to a server in another process (chaos, bench, e2e):
 * made by the admin CLI as an administrator makes one, then signed in over HTTP as the
 * person would, on a device of their own. In-process suites open a session directly
 * instead (tests/server/helpers.ts `newReviewer`).
 */
import { spawn } from 'node:child_process';
import * as v from 'valibot';
import { Session, StaffEnrollResponse, type StaffRole } from '../../shared/accounts';
import { deviceIdOf, generateDeviceKey, signatureHeaders } from '../../shared/device-signature';
import { Header, PROTOCOL_VERSION } from '../../shared/protocol';
import { totpCode, totpStep } from '../../sync-server/accounts/totp';

const ROOT = new URL('../../', import.meta.url).pathname;

const PASSWORD = 'a long test password for staff';

/**
 * `npm run admin -- create-staff` on the database `env` names (DATABASE_URL, or DATA_DIR
 * with DATABASE_URL empty); the set-password token from the link it prints. A PGlite
 * directory must not be open in a server meanwhile: the CLI refuses one that is.
 */
export async function createStaffByCli(
	env: Record<string, string>,
	role: StaffRole,
	region: string
): Promise<string> {
	const child = spawn(
		process.execPath,
		[
			'--import',
			'tsx',
			'sync-server/accounts/admin-cli.ts',
			'create-staff',
			'--role',
			role,
			'--region',
			region,
			'--name',
			`Test ${role}`
		],
		{ cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: 'pipe' }
	);
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
	// The token is the link's fragment (admin-cli.ts).
	const token = /\/staff\/set-password#(\S+)/.exec(output)?.[1];
	if (code !== 0 || !token) throw new Error(`create-staff exited ${code}: ${output}`);
	return token;
}

/** A device with a staff member signed in on it; every call signed when sent. */
export class StaffDevice {
	readonly #privateKey: CryptoKey;
	readonly #accessToken: string;

	private constructor(
		readonly id: string,
		privateKey: CryptoKey,
		accessToken: string
	) {
		this.#privateKey = privateKey;
		this.#accessToken = accessToken;
	}

	/**
	 * Registers a new device key with the server at `baseUrl`, opens the set-password link
	 * of `token` (enroll), sets a password with the authenticator's first code, and signs in
	 * with the next step's code: a code, once accepted, never works again (totp.ts).
	 */
	static async signIn(baseUrl: string, token: string): Promise<StaffDevice> {
		const { privateKey, publicKey } = await generateDeviceKey();
		const id = await deviceIdOf(publicKey);
		const registered = await fetch(`${baseUrl}/api/sync/register`, {
			method: 'POST',
			headers: { [Header.protocol]: String(PROTOCOL_VERSION), 'Content-Type': 'application/json' },
			body: JSON.stringify({ publicKey })
		});
		if (!registered.ok) throw new Error(`register answered ${registered.status}`);
		const anonymous = new StaffDevice(id, privateKey, '');
		const call = async (path: string, body: unknown) => {
			const response = await anonymous.post(baseUrl, path, body);
			const text = await response.text();
			if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${text}`);
			return JSON.parse(text) as unknown;
		};
		const enrolled = v.parse(
			StaffEnrollResponse,
			await call('/api/accounts/staff/enroll', { token })
		);
		const step = totpStep(Date.now());
		const totp = totpCode(enrolled.totpSecret, step);
		await call('/api/accounts/staff/set-password', { token, password: PASSWORD, totp });
		const next = totpCode(enrolled.totpSecret, Math.max(step + 1, totpStep(Date.now())));
		const session = v.parse(
			Session,
			await call('/api/accounts/staff/sign-in', {
				login: enrolled.login,
				password: PASSWORD,
				totp: next
			})
		);
		return new StaffDevice(id, privateKey, session.accessToken);
	}

	/**
	 * The headers of a request sent now: protocol, device, time, a fresh nonce, the
	 * signature, and the session once signed in. Made for every attempt: a repeat with
	 * the same nonce would be refused as replayed.
	 */
	async headers(method: string, pathAndQuery: string, body?: Uint8Array) {
		return {
			[Header.protocol]: String(PROTOCOL_VERSION),
			[Header.device]: this.id,
			...(await signatureHeaders(this.#privateKey, { method, pathAndQuery, body }, Date.now())),
			...(this.#accessToken ? { Authorization: `Bearer ${this.#accessToken}` } : {}),
			...(body ? { 'Content-Type': 'application/json' } : {})
		};
	}

	/** POSTs `body` as JSON to `path`, signed now. */
	async post(
		baseUrl: string,
		path: string,
		body: unknown,
		init: Pick<RequestInit, 'signal'> = {}
	): Promise<Response> {
		const bytes = new TextEncoder().encode(JSON.stringify(body));
		return fetch(`${baseUrl}${path}`, {
			...init,
			method: 'POST',
			headers: await this.headers('POST', path, bytes),
			body: bytes
		});
	}
}
