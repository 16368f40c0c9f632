import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountAdaptersFromEnv } from '../../sync-server/accounts/adapters';
import { developmentSender, httpSmsSender } from '../../sync-server/accounts/sms-sender';
import { httpPhoneRegister } from '../../sync-server/accounts/phone-register';
import { openDatabase } from '../../sync-server/db/open';
import { createLogger } from '../../sync-server/http/log';
import { testApp } from './helpers';

describe('code sender and phone register adapters', () => {
	const seen: { auth?: string; body: string }[] = [];
	let status = 200;
	const server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			seen.push({ auth: req.headers.authorization, body });
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ registered: JSON.parse(body).iin === '900101300001' }));
		});
	});
	let url = '';
	beforeAll(async () => {
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
	});
	afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

	it('posts the code to the gateway with its token, and throws on a refusal', async () => {
		status = 200;
		await httpSmsSender({ url, token: 'gw-token' }).send('+77012345678', {
			kind: 'sign_in_code',
			code: '123456'
		});
		expect(seen.at(-1)?.auth).toBe('Bearer gw-token');
		expect(JSON.parse(seen.at(-1)!.body)).toMatchObject({ to: '+77012345678' });
		expect(seen.at(-1)!.body).toContain('123456');
		status = 500;
		await expect(
			httpSmsSender({ url, token: 'gw-token' }).send('+77012345678', {
				kind: 'sign_in_code',
				code: '1'
			})
		).rejects.toThrow();
	});

	it('asks the register and reads its verdict', async () => {
		status = 200;
		const register = httpPhoneRegister({ url, token: 'reg' });
		expect(await register.isRegistered('900101300001', '+77012345678')).toBe(true);
		expect(await register.isRegistered('900101300002', '+77012345678')).toBe(false);
	});

	it('development sender logs the code and a masked phone only, and says what it is', async () => {
		const lines: string[] = [];
		const sender = developmentSender(createLogger({ write: (l) => lines.push(l) }));
		await sender.send('+77012345678', { kind: 'sign_in_code', code: '654321' });
		const text = lines.join('\n');
		expect(text).toContain('development');
		expect(text).toContain('654321');
		expect(text).not.toContain('7012345678');
		expect(text).toContain('+7 7•• ••• •• 78');
	});
});

describe('development adapters fail closed', () => {
	const quiet = createLogger({ level: 'silent' });
	const postgres = 'postgres://nobody@127.0.0.1:1/none';
	const gateway = { SMS_GATEWAY_URL: 'https://sms.example/send', SMS_GATEWAY_TOKEN: 't' };
	const register = {
		PHONE_REGISTER_URL: 'https://register.example/ask',
		PHONE_REGISTER_TOKEN: 't'
	};

	it('are refused on DATABASE_URL, each by the variable it needs', () => {
		expect(() => accountAdaptersFromEnv({ DATABASE_URL: postgres }, quiet)).toThrow(
			/SMS_GATEWAY_URL and PHONE_REGISTER_URL must be set.*anyone could sign in as anyone/s
		);
		// A real gateway alone is not enough: the code would reach whoever typed their phone.
		expect(() => accountAdaptersFromEnv({ DATABASE_URL: postgres, ...gateway }, quiet)).toThrow(
			/^PHONE_REGISTER_URL must be set/
		);
		expect(() => accountAdaptersFromEnv({ DATABASE_URL: postgres, ...register }, quiet)).toThrow(
			/^SMS_GATEWAY_URL must be set/
		);
	});

	it('are allowed on the embedded database, on PostgreSQL with both real ones, or by the flag', () => {
		expect(accountAdaptersFromEnv({}, quiet).sender.development).toBe(true);
		const real = accountAdaptersFromEnv({ DATABASE_URL: postgres, ...gateway, ...register }, quiet);
		expect([real.sender.development, real.register.development]).toEqual([undefined, undefined]);
		const flagged = accountAdaptersFromEnv(
			{ DATABASE_URL: postgres, DALA_INSECURE_DEV_ACCOUNTS: '1' },
			quiet
		);
		expect(flagged.register.development).toBe(true);
	});

	it('stop a server on DATABASE_URL from starting, and it says why', async () => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
			cwd: new URL('../../', import.meta.url).pathname,
			env: {
				...process.env,
				PORT: '0',
				DATABASE_URL: postgres,
				DALA_INSECURE_DEV_ACCOUNTS: '',
				SMS_GATEWAY_URL: '',
				PHONE_REGISTER_URL: '',
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
		expect(output).toContain('DALA_INSECURE_DEV_ACCOUNTS=1');
	});

	it('/api/health says when sign-in runs on development adapters', async () => {
		const database = await openDatabase({ dataDir: 'memory://' });
		try {
			const health = await testApp(database.db).request('/api/health');
			expect(await health.json()).toMatchObject({
				status: 'ok',
				accounts: { signInCodes: 'development', phoneRegister: 'development' }
			});
		} finally {
			await database.close();
		}
	});
});
