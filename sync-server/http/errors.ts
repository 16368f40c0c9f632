import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import type { ErrorCode } from '../../shared/errors';
import type { ErrorBody } from '../../shared/protocol';

/**
 * Codes only the back-office API answers. Devices never call it, so the device protocol
 * (shared/errors.ts) does not list them and the app need not translate them.
 */
export const ReviewErrorCode = {
	/** No or wrong `Authorization: Bearer` token. */
	unauthorized: 'unauthorized'
} as const;
export type ReviewErrorCode = (typeof ReviewErrorCode)[keyof typeof ReviewErrorCode];

type ErrorDetail = Omit<ErrorBody['error'], 'code'> & { code: ErrorCode | ReviewErrorCode };

/** The JSON every failed request answers, in the shape of the protocol's ErrorBody. */
export function errorResponse(status: ContentfulStatusCode, error: ErrorDetail): Response {
	return Response.json({ error }, { status });
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
