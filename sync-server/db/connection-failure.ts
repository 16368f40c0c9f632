import { OwnersMoved } from './lock-order';

/**
 * Whether an error means "the database could not be reached or the connection broke",
 * as opposed to a statement the database refused. The first is nobody's fault in the
 * request: it is answered 503 with Retry-After (http/errors.ts), and the device, whose
 * work is safe in its outbox, sends again. The second stays a bug (500) or a refusal.
 */

// SQLSTATE classes and codes of a lost or refused connection (PostgreSQL appendix A).
const CONNECTION_CLASS = '08'; // connection_exception
const CONNECTION_CODES = new Set([
	'57P01', // admin_shutdown: pg_terminate_backend, a fast shutdown, a failover
	'57P02', // crash_shutdown
	'57P03', // cannot_connect_now: starting up or in recovery
	'53300', // too_many_connections
	'25P03' // idle_in_transaction_session_timeout: the server closed the session
]);

// Socket errors of the TCP connection itself (Node's errno codes).
const SOCKET_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENOTFOUND',
	'EAI_AGAIN'
]);

// node-postgres reports a dead or timed-out connection with a plain Error and no code
// (pg/lib/client.js, pg-pool): its message is all there is to go by.
const DRIVER_MESSAGES =
	/^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect)/;

/**
 * The driver's error when `error` is, or wraps (Drizzle wraps the driver's), a lost
 * connection; undefined for anything else. It is what to log: Drizzle's wrapper is left
 * out because its message carries the statement's parameters, a person's answers.
 */
export function connectionFailureOf(error: unknown): Error | undefined {
	// Causes nest a few deep at most; the bound guards against a cycle.
	for (let depth = 0; depth < 8 && error instanceof Error; depth++) {
		const code = (error as { code?: unknown }).code;
		if (typeof code === 'string') {
			if (code.startsWith(CONNECTION_CLASS) && code.length === 5) return error;
			if (CONNECTION_CODES.has(code) || SOCKET_CODES.has(code)) return error;
		}
		if (DRIVER_MESSAGES.test(error.message)) return error;
		error = error.cause;
	}
	return undefined;
}

// SQLSTATEs of a transaction the database gave up on because of another one.
const CONTENTION_CODES = new Set([
	'40001', // serialization_failure
	'40P01', // deadlock_detected
	'55P03' // lock_not_available
]);

/**
 * Whether `error` is, or wraps, a transaction that lost to a concurrent one: a deadlock,
 * a serialization failure, or devices that kept moving while it waited (OwnersMoved).
 * Nothing of it was committed and the same request may succeed at once: it is answered
 * 503 with Retry-After, like a lost connection, never 500.
 */
export function isContention(error: unknown): boolean {
	for (let depth = 0; depth < 8 && error instanceof Error; depth++) {
		if (error instanceof OwnersMoved) return true;
		const code = (error as { code?: unknown }).code;
		if (typeof code === 'string' && CONTENTION_CODES.has(code)) return true;
		error = error.cause;
	}
	return false;
}
