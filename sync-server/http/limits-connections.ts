import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { ConnectionLimits } from './limits';

export interface ServeOptions {
	fetch: (request: Request, env: unknown) => Response | Promise<Response>;
	port: number;
	hostname?: string;
	limits: ConnectionLimits;
	/** Told of each connection closed at once because `maxConnections` were open. */
	onDrop?: () => void;
}

/**
 * Serves `fetch` on a Node HTTP server whose sockets are bounded: at most
 * `maxConnections` open; headers complete within `headersTimeoutMs`; a connection silent
 * (nothing received, nothing sent) for `idleTimeoutMs` is closed, which drops a client
 * that sent half a body and went away. There is deliberately no total request time
 * (Node's `requestTimeout`, 300 s by default, is turned off): a slow link that keeps
 * sending is a person on 2G, not an attack, and a total short enough to stop an attacker
 * would cut them off.
 */
export function serveWithLimits(
	{ fetch, port, hostname, limits, onDrop }: ServeOptions,
	listening?: (info: AddressInfo) => void
): Server {
	const server = serve(
		{
			fetch,
			port,
			hostname,
			serverOptions: {
				headersTimeout: limits.headersTimeoutMs,
				requestTimeout: 0,
				// Node checks the headers deadline only this often (30 s by default, which
				// would let a trickle of header bytes last 50 s).
				connectionsCheckingInterval: Math.min(5000, Math.max(100, limits.headersTimeoutMs / 4))
			}
		},
		listening
	) as Server;
	// Inactivity on the socket in either direction; with no 'timeout' listener Node
	// destroys it. A request the server is still working on is not silent for long: the
	// database answers, or fails, well within it.
	server.timeout = limits.idleTimeoutMs;
	server.maxConnections = limits.maxConnections;
	if (onDrop) server.on('drop', onDrop);
	return server;
}
