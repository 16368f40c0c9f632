import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentSender, httpSmsSender } from '../../sync-server/accounts/code-sender';
import { httpPhoneRegister } from '../../sync-server/accounts/phone-register';
import { createLogger } from '../../sync-server/http/log';

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
		await httpSmsSender({ url, token: 'gw-token' }).send('+77012345678', '123456');
		expect(seen.at(-1)?.auth).toBe('Bearer gw-token');
		expect(JSON.parse(seen.at(-1)!.body)).toMatchObject({ to: '+77012345678' });
		expect(seen.at(-1)!.body).toContain('123456');
		status = 500;
		await expect(
			httpSmsSender({ url, token: 'gw-token' }).send('+77012345678', '1')
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
		await sender.send('+77012345678', '654321');
		const text = lines.join('\n');
		expect(text).toContain('development');
		expect(text).toContain('654321');
		expect(text).not.toContain('7012345678');
		expect(text).toContain('+7 7•• ••• •• 78');
	});
});
