/**
 * A TCP proxy on 127.0.0.1 between the devices and the sync servers that breaks
 * exchanges the way a 2G link and a restarting load balancer do. It forwards bytes, not
 * HTTP, so a cut can land anywhere: inside request headers, inside a gzipped body, or
 * inside a response — which the server writes only after its transaction committed, so a
 * cut there is the "committed, but the device never heard" case exactly-once rests on.
 *
 * It watches for request lines only to roll the dice once per request rather than once
 * per connection: fetch keeps connections alive across many requests, and a fault chosen
 * per connection would spare every request after the first on a healthy one.
 *
 * Bounded on purpose: it connects only to 127.0.0.1 and only to the ports the harness
 * gives it (the servers it started), never anywhere a client asks.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Rng } from './random';

/** What the proxy can do to one request and its response. */
export const FAULTS = ['stall', 'cut_request', 'cut_response', 'reset_response'] as const;
export type Fault = (typeof FAULTS)[number];

export interface ProxyStats {
	connections: number;
	/** Connections per server port: proof that both servers served while two ran. */
	byUpstream: Record<number, number>;
	/** HTTP requests seen going upstream, by path (`/api/sync/push`, …). */
	requests: Record<string, number>;
	/** Requests the dice spared (or all of them while chaos is off). */
	clean: number;
	faults: Record<Fault, number>;
	/** Connections whose upstream refused or vanished (a server killed or restarting). */
	upstreamErrors: number;
}

export interface ChaosProxyOptions {
	rng: Rng;
	/** Server ports to spread connections over, round-robin. */
	upstreams: number[];
	/** Share of requests that get a fault while chaos is on. */
	faultRate: number;
}

/** What one direction of a connection will do; offsets count bytes in that direction. */
interface Direction {
	offset: number;
	cutAt?: number;
	/** Send RST rather than FIN when cutting: the peer sees ECONNRESET. */
	reset?: boolean;
	stallAt?: number;
	stallMs?: number;
}

// A request line as undici writes it, at the start of a write.
const REQUEST_LINE = /(?:GET|POST|PUT|PATCH|DELETE) (\/[^ ?\r\n]*)[^ \r\n]* HTTP\/1\.1\r\n/g;
// The farthest into a request or response a fault lands: past most headers, into bodies.
const SPAN = 1500;

export class ChaosProxy {
	readonly #server: Server;
	readonly #rng: Rng;
	readonly #sockets = new Set<Socket>();
	#upstreams: number[];
	#next = 0;
	readonly #faultRate: number;
	#chaos = true;
	readonly stats: ProxyStats = {
		connections: 0,
		byUpstream: {},
		requests: {},
		clean: 0,
		faults: { stall: 0, cut_request: 0, cut_response: 0, reset_response: 0 },
		upstreamErrors: 0
	};

	private constructor(server: Server, options: ChaosProxyOptions) {
		this.#server = server;
		this.#rng = options.rng;
		this.#upstreams = [...options.upstreams];
		this.#faultRate = options.faultRate;
	}

	/** Starts listening on a free port of 127.0.0.1. */
	static async start(options: ChaosProxyOptions): Promise<ChaosProxy> {
		const server = createServer();
		const proxy = new ChaosProxy(server, options);
		server.on('connection', (client) => proxy.#accept(client));
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => resolve());
		});
		return proxy;
	}

	get url(): string {
		const address = this.#server.address();
		if (!address || typeof address === 'string') throw new Error('proxy is not listening');
		return `http://127.0.0.1:${address.port}`;
	}

	/** Where new connections go from now on; open ones keep their server until they end. */
	setUpstreams(ports: number[]): void {
		if (ports.length === 0) throw new Error('the proxy needs at least one upstream');
		this.#upstreams = [...ports];
	}

	/** Off: every request passes untouched (the quiet phase before the checks). */
	setChaos(on: boolean): void {
		this.#chaos = on;
	}

	/** Cuts every open connection, as a load balancer does when it drops a backend. */
	dropAll(): void {
		for (const socket of this.#sockets) socket.destroy();
	}

	/** Total faults injected. */
	get faultCount(): number {
		return Object.values(this.stats.faults).reduce((a, b) => a + b, 0);
	}

	async close(): Promise<void> {
		this.dropAll();
		await new Promise<void>((resolve) => this.#server.close(() => resolve()));
	}

	#accept(client: Socket): void {
		this.stats.connections += 1;
		const port = this.#upstreams[this.#next++ % this.#upstreams.length]!;
		this.stats.byUpstream[port] = (this.stats.byUpstream[port] ?? 0) + 1;
		const upstream = connect({ host: '127.0.0.1', port });
		this.#track(client);
		this.#track(upstream);
		const toServer: Direction = { offset: 0 };
		const toClient: Direction = { offset: 0 };

		upstream.on('error', () => {
			this.stats.upstreamErrors += 1;
			// What a device sees from a dead backend behind a balancer: a reset.
			if (!client.destroyed) client.resetAndDestroy();
		});
		client.on('error', () => upstream.destroy());
		const cut = (reset: boolean) => {
			if (reset && !client.destroyed) client.resetAndDestroy();
			else client.destroy();
			upstream.destroy();
		};
		const onRequest = (path: string, at: number) => {
			this.#countRequest(path);
			this.#plan(at, toServer, toClient);
		};
		this.#pipe(client, upstream, toServer, cut, onRequest);
		this.#pipe(upstream, client, toClient, cut);
	}

	/** Rolls the dice for a request that starts at byte `at` of the client's stream. */
	#plan(at: number, toServer: Direction, toClient: Direction): void {
		const fault = this.#chaos && this.#rng.chance(this.#faultRate) ? this.#rng.pick(FAULTS) : null;
		if (!fault) {
			this.stats.clean += 1;
			return;
		}
		this.stats.faults[fault] += 1;
		// No pipelining (undici sends one request per connection at a time), so this
		// request's response starts at the next byte the server sends.
		switch (fault) {
			case 'stall': {
				const side = this.#rng.chance(0.5) ? toServer : toClient;
				const base = side === toServer ? at : toClient.offset;
				side.stallAt = base + this.#rng.int(0, SPAN);
				side.stallMs = this.#rng.int(300, 2500);
				break;
			}
			case 'cut_request':
				toServer.cutAt = at + this.#rng.int(0, SPAN);
				break;
			case 'cut_response':
			case 'reset_response':
				// Byte 0 of the response is the earliest moment after the commit: the device
				// learns nothing of what the server did. Weighted so it happens often.
				toClient.cutAt = toClient.offset + (this.#rng.chance(0.3) ? 0 : this.#rng.int(1, SPAN));
				toClient.reset = fault === 'reset_response';
				break;
		}
	}

	#track(socket: Socket): void {
		this.#sockets.add(socket);
		socket.once('close', () => this.#sockets.delete(socket));
	}

	/** Copies `from` to `to` under `plan`; either side closing closes the other. */
	#pipe(
		from: Socket,
		to: Socket,
		plan: Direction,
		cut: (reset: boolean) => void,
		onRequest?: (path: string, at: number) => void
	): void {
		const write = (chunk: Buffer) => {
			if (chunk.length > 0 && !to.destroyed) to.write(chunk);
		};
		from.on('data', (chunk: Buffer) => {
			const start = plan.offset;
			plan.offset += chunk.length;
			if (onRequest) {
				for (const match of chunk.toString('latin1').matchAll(REQUEST_LINE)) {
					onRequest(match[1]!, start + match.index);
				}
			}
			if (plan.cutAt !== undefined && plan.offset > plan.cutAt) {
				write(chunk.subarray(0, Math.max(0, plan.cutAt - start)));
				cut(plan.reset ?? false);
				return;
			}
			if (plan.stallAt !== undefined && plan.offset > plan.stallAt) {
				// Hold the rest of the stream: the far side sees a link that stopped moving.
				const split = Math.max(0, plan.stallAt - start);
				const ms = plan.stallMs ?? 0;
				plan.stallAt = undefined;
				write(chunk.subarray(0, split));
				from.pause();
				setTimeout(() => {
					write(chunk.subarray(split));
					from.resume();
				}, ms);
				return;
			}
			write(chunk);
		});
		from.on('end', () => to.end());
		from.on('close', () => {
			if (!to.destroyed) to.destroy();
		});
	}

	#countRequest(path: string): void {
		// Ids in review paths would make one counter per application.
		const key = path.replace(/\/[0-9a-f-]{36}(?=\/|$)/g, '/:id');
		this.stats.requests[key] = (this.stats.requests[key] ?? 0) + 1;
	}
}
