/**
 * A TCP proxy on 127.0.0.1 in front of one server that counts every byte both ways and,
 * when asked, shapes the link like 2G: each direction is one link of `bytesPerSecond`
 * shared by every connection (a phone has one radio), and every byte arrives `delayMs`
 * after it left (propagation: 400 ms one way is an 800 ms round trip). Chromium is pointed
 * at the proxy as the server's origin, so what the service worker fetches is shaped too,
 * which Chromium's own (CDP) throttling misses.
 *
 * It also keeps when each request started and when its last response byte came back, per
 * connection (HTTP/1.1 sends one request at a time on a connection), so a bench can tell
 * how many round trips followed one another.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Shaping {
	/** One-way delay added to every byte, each direction. */
	delayMs: number;
	/** The link's rate, each direction. */
	bytesPerSecond: number;
}

/** A direction of the link: when it is next free to start sending. */
export interface LinkState {
	freeAt: number;
}

/** The size of the pieces a chunk is paced in: one TCP segment of a 1500-byte MTU. */
export const SEGMENT = 1460;

/**
 * When `bytes` that reached the link at `now` are delivered: they wait for the link to be
 * free, take `bytes ÷ rate` to send, then `delayMs` to arrive. Moves the link's `freeAt`.
 */
export function pace(link: LinkState, now: number, bytes: number, shaping: Shaping): number {
	const start = Math.max(now, link.freeAt);
	link.freeAt = start + (bytes / shaping.bytesPerSecond) * 1000;
	return link.freeAt + shaping.delayMs;
}

export interface Exchange {
	/** `GET /api/sync/pull?…`, as the request line has it. */
	request: string;
	/** The connection it went on. */
	connection: number;
	/** When its first byte reached the proxy (ms, performance.now()). */
	start: number;
	/** When the last response byte before the next request (or the close) reached the client. */
	end: number;
}

export interface ShapingProxy {
	url: string;
	port: number;
	/** Bytes the client sent, since the last reset. */
	readonly sent: number;
	/** Bytes the server sent back, since the last reset. */
	readonly received: number;
	/** Requests since the last reset, with their times. */
	exchanges(): Exchange[];
	reset(): void;
	/** Shape from now on (null: pass bytes on at once). */
	shape(shaping: Shaping | null): void;
	close(): Promise<void>;
}

const REQUEST_LINE = /^(GET|HEAD|POST|PATCH|PUT|DELETE|OPTIONS) (\S+) HTTP\/1\.1\r\n/;

export async function shapingProxy(upstreamPort: number): Promise<ShapingProxy> {
	let sent = 0;
	let received = 0;
	let shaping: Shaping | null = null;
	let exchanges: Exchange[] = [];
	let connections = 0;
	const up: LinkState = { freeAt: 0 };
	const down: LinkState = { freeAt: 0 };
	const sockets = new Set<Socket>();

	/** Writes `chunk` to `to` as the link would deliver it; `delivered` once it has. */
	function forward(chunk: Buffer, to: Socket, link: LinkState, delivered: () => void): void {
		if (!shaping) {
			to.write(chunk);
			delivered();
			return;
		}
		const now = performance.now();
		for (let at = 0; at < chunk.length; at += SEGMENT) {
			const segment = chunk.subarray(at, at + SEGMENT);
			const last = at + SEGMENT >= chunk.length;
			const when = pace(link, now, segment.length, shaping);
			setTimeout(
				() => {
					if (to.destroyed) return;
					to.write(segment);
					if (last) delivered();
				},
				Math.max(0, when - now)
			);
		}
	}

	const server: Server = createServer((client) => {
		const connection = ++connections;
		const upstream = connect(upstreamPort, '127.0.0.1');
		sockets.add(client).add(upstream);
		client.setNoDelay(true);
		upstream.setNoDelay(true);
		// The exchange now on this connection: its response bytes end it.
		let current: Exchange | undefined;
		const closeBoth = () => {
			client.destroy();
			upstream.destroy();
			sockets.delete(client);
			sockets.delete(upstream);
		};
		client.on('error', closeBoth).on('close', closeBoth);
		upstream.on('error', closeBoth).on('close', closeBoth);
		client.on('data', (chunk: Buffer) => {
			const line = REQUEST_LINE.exec(chunk.subarray(0, 300).toString('latin1'));
			if (line) {
				current = {
					request: `${line[1]} ${line[2]}`,
					connection,
					start: performance.now(),
					end: performance.now()
				};
				exchanges.push(current);
			}
			sent += chunk.length;
			forward(chunk, upstream, up, () => {});
		});
		upstream.on('data', (chunk: Buffer) => {
			received += chunk.length;
			const exchange = current;
			forward(chunk, client, down, () => {
				if (exchange) exchange.end = performance.now();
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;

	return {
		url: `http://127.0.0.1:${port}`,
		port,
		get sent() {
			return sent;
		},
		get received() {
			return received;
		},
		exchanges: () => exchanges.slice(),
		reset() {
			sent = 0;
			received = 0;
			exchanges = [];
		},
		shape(next) {
			shaping = next;
			up.freeAt = 0;
			down.freeAt = 0;
		},
		close() {
			for (const socket of sockets) socket.destroy();
			return new Promise((resolve) => server.close(() => resolve()));
		}
	};
}

/**
 * How many round trips followed one another: requests ordered by start, each one that
 * began after every earlier one had ended is a new round trip; one sent while another was
 * in flight shares its time and adds none.
 */
export function sequentialRoundTrips(
	exchanges: readonly Pick<Exchange, 'start' | 'end'>[]
): number {
	let trips = 0;
	let busyUntil = -Infinity;
	for (const e of [...exchanges].sort((a, b) => a.start - b.start)) {
		if (e.start >= busyUntil) trips += 1;
		busyUntil = Math.max(busyUntil, e.end);
	}
	return trips;
}
