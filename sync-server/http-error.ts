import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody } from '../shared/protocol';

type ErrorDetail = ErrorBody['error'];

/** The JSON every failed request answers, in the shape of the protocol's ErrorBody. */
export function errorResponse(status: ContentfulStatusCode, error: ErrorDetail): Response {
	const body: ErrorBody = { error };
	return Response.json(body, { status });
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
