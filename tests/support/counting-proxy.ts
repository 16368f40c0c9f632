/**
 * A TCP proxy on 127.0.0.1 in front of one server that counts the bytes it hands the
 * server (request lines, headers and bodies: everything on the wire) and can slow the
 * upstream direction to a 2G-like rate, so a test can cut a link half-way through an
 * upload. Bytes a client wrote that the proxy had not yet passed on when the client went
 * away are not counted: the server never received them.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface CountingProxy {
	url: string;
	/** Bytes passed to the server since the last reset. */
	readonly sent: number;
	/** Bytes passed back from the server since the last reset. */
	readonly received: number;
	/** Request lines seen since the last reset (`PATCH /api/files/…`), in order. */
	readonly requests: string[];
	reset(): void;
	/** Bytes per second towards the server; 0 for no limit. */
	setRate(bytesPerSecond: number): void;
	/**
	 * Drops the link: every open connection breaks (requests in flight fail on the client,
	 * the server sees their bodies end early) and, until the link is up again, new ones are
	 * closed at once, so a browser's own quiet resend of a request gets nowhere either.
	 */
	setLinkDown(down: boolean): void;
	close(): Promise<void>;
}

const SLICE = 4096;
const REQUEST_LINE = /^(GET|HEAD|POST|PATCH|PUT|DELETE|OPTIONS) (\S+) HTTP\/1\.1\r\n/;

export async function countingProxy(upstreamPort: number): Promise<CountingProxy> {
	let sent = 0;
	let received = 0;
	let rate = 0;
	let linkDown = false;
	let requests: string[] = [];
	const sockets = new Set<Socket>();

	const server: Server = createServer((client) => {
		if (linkDown) {
			client.destroy();
			return;
		}
		const upstream = connect(upstreamPort, '127.0.0.1');
		sockets.add(client).add(upstream);
		client.setNoDelay(true);
		upstream.setNoDelay(true);
		const closeBoth = () => {
			client.destroy();
			upstream.destroy();
			sockets.delete(client);
			sockets.delete(upstream);
		};
		client.on('error', closeBoth).on('close', closeBoth);
		upstream.on('error', closeBoth).on('close', closeBoth);
		upstream.on('data', (chunk: Buffer) => {
			received += chunk.length;
		});
		upstream.pipe(client);

		client.on('data', (chunk: Buffer) => {
			const line = REQUEST_LINE.exec(chunk.subarray(0, 300).toString('latin1'));
			if (line) requests.push(`${line[1]} ${line[2]}`);
			if (!rate) {
				sent += chunk.length;
				upstream.write(chunk);
				return;
			}
			// Slowed: pass the chunk on a slice at a time, at `rate`, and read no more until then.
			client.pause();
			let at = 0;
			const next = () => {
				if (client.destroyed || upstream.destroyed) return;
				if (at >= chunk.length) {
					client.resume();
					return;
				}
				const slice = chunk.subarray(at, at + SLICE);
				at += slice.length;
				sent += slice.length;
				upstream.write(slice);
				setTimeout(next, (slice.length / rate) * 1000);
			};
			next();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;

	return {
		url: `http://127.0.0.1:${port}`,
		get sent() {
			return sent;
		},
		get received() {
			return received;
		},
		get requests() {
			return requests;
		},
		reset() {
			sent = 0;
			received = 0;
			requests = [];
		},
		setRate(bytesPerSecond) {
			rate = bytesPerSecond;
		},
		setLinkDown(down) {
			linkDown = down;
			if (down) for (const socket of sockets) socket.destroy();
		},
		close() {
			for (const socket of sockets) socket.destroy();
			return new Promise((resolve) => server.close(() => resolve()));
		}
	};
}
