/**
 * Bytes on the wire, counted on the client's TCP sockets: HTTP request and status lines,
 * headers and bodies exactly as sent and received (TLS, TCP and IP overhead excluded).
 * Counting at the socket works the same for our client and for PouchDB's, which builds
 * its own requests, and it costs the measured code nothing.
 */
import { channel } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

interface Tracked {
	socket: Socket;
	/** The server port, captured on connect: a closed socket forgets its peer. */
	port?: number;
}

const tracked: Tracked[] = [];

// Node publishes every client socket that net.connect creates, whoever creates it
// (node:http agents, node-fetch, the PostgreSQL driver).
channel('net.client.socket').subscribe((message) => {
	const socket = (message as { socket: Socket }).socket;
	const entry: Tracked = { socket };
	socket.once('connect', () => {
		entry.port = socket.remotePort;
	});
	tracked.push(entry);
});

export interface WireCount {
	/** Bytes the client wrote (requests). */
	sent: number;
	/** Bytes the client read (responses). */
	received: number;
	/** Connections opened to that port so far. */
	connections: number;
}

/** Everything exchanged so far with the server listening on `port` on this machine. */
export function wireTo(port: number): WireCount {
	let sent = 0;
	let received = 0;
	let connections = 0;
	for (const { socket, port: peer } of tracked) {
		if (peer !== port) continue;
		sent += socket.bytesWritten;
		received += socket.bytesRead;
		connections++;
	}
	return { sent, received, connections };
}

/** What was exchanged between two counts. */
export function wireBetween(before: WireCount, after: WireCount): WireCount {
	return {
		sent: after.sent - before.sent,
		received: after.received - before.received,
		connections: after.connections - before.connections
	};
}
