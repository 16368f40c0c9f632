import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import type { ErrorCode } from '../../shared/errors';
import type { ErrorBody } from '../../shared/protocol';

/**
 * Codes of a server that cannot do its work now, whoever asked. Every client already treats
 * a 5xx as "try again" and keeps what it sent queued, so none needs to translate these.
 */
export const ServerErrorCode = {
	/** The database could not be reached or the connection broke: retry after Retry-After. */
	databaseUnavailable: 'database_unavailable',
	/** The server has more of this work queued than it takes: retry after Retry-After. */
	busy: 'server_busy'
} as const;
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

type ErrorDetail = Omit<ErrorBody['error'], 'code'> & {
	code: ErrorCode | ServerErrorCode;
};

/** The JSON every failed request answers, in the shape of the protocol's ErrorBody. */
export function errorResponse(status: ContentfulStatusCode, error: ErrorDetail): Response {
	return Response.json({ error }, { status });
}

/** Seconds a client waits before retrying after a lost database connection. */
const DATABASE_RETRY_AFTER_S = 1;

/**
 * The answer to a request whose database connection failed: 503 with Retry-After, so the
 * device retries shortly and a load balancer may send it elsewhere. Nothing was committed
 * that a retry cannot find (every write is one transaction, and the idempotent ones are
 * keyed by their mutation ids). Says nothing of why: that goes to the log.
 */
export function databaseUnavailable(): Response {
	return tryAgainSoon(
		ServerErrorCode.databaseUnavailable,
		'The database is unavailable for a moment; try again.',
		DATABASE_RETRY_AFTER_S
	);
}

/** 503 with Retry-After: nothing was done, and the same request may pass in a moment. */
function tryAgainSoon(code: ServerErrorCode, message: string, seconds: number): Response {
	const res = errorResponse(503, { code, message });
	res.headers.set('Retry-After', String(seconds));
	return res;
}

/** Seconds a client waits before retrying work the server was too busy to queue. */
const BUSY_RETRY_AFTER_S = 2;

/**
 * Thrown when a bounded queue of costly work (password hashing) is full: answered 503
 * `server_busy` with Retry-After, since nothing was done and the same request may pass soon.
 */
export class ServerBusy extends Error {
	name = 'ServerBusy';
	constructor() {
		super('too much of this work is queued');
	}
}

/** The answer to a request refused with ServerBusy. */
export function serverBusy(): Response {
	return tryAgainSoon(
		ServerErrorCode.busy,
		'The server is busy for a moment; try again.',
		BUSY_RETRY_AFTER_S
	);
}

/**
 * An expected failure: throw it from a handler or middleware and the client gets
 * `{ error: { code, message, issues? } }` with this status, and nothing else.
 */
export function httpError(
	status: ContentfulStatusCode,
	code: ErrorDetail['code'],
	message: string,
	issues?: Record<string, string>
): HTTPException {
	const error: ErrorDetail = issues ? { code, message, issues } : { code, message };
	return new HTTPException(status, { message, res: errorResponse(status, error) });
}

/** Dotted path → first message, for the `issues` of an invalid_body error. */
export function issuesOf(issues: readonly v.BaseIssue<unknown>[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (const issue of issues) {
		const path = v.getDotPath(issue) ?? '';
		out[path] ??= issue.message;
	}
	return out;
}
