import * as v from 'valibot';
import type { FieldErrors, RejectCode } from '../shared/errors';
import { MutationResult } from '../shared/protocol';
import { sortedKeys } from './application-state';
import type { Database } from './db/open';

/** A transaction of `Database`, as `db.transaction` hands it to its callback. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** The answer for a mutation refused for good. */
export function rejected(mutationId: string, code: RejectCode, fieldErrors?: FieldErrors) {
	return {
		mutationId,
		status: 'rejected',
		code,
		...(fieldErrors && { fieldErrors })
	} as const satisfies MutationResult;
}

/**
 * One serialization for a result, whether fresh or read back from the store. jsonb keeps
 * keys in its own order, so a result read back would serialize differently from the one
 * first sent. Parsing through the protocol schema fixes the order of every object's keys;
 * the two records (answers, field errors) are sorted by key, since a schema cannot order
 * keys it does not know. So a replayed push answers byte for byte what the first one did.
 */
export function canonical(result: unknown): MutationResult {
	const parsed = v.parse(MutationResult, result);
	if (parsed.status === 'rejected') {
		return parsed.fieldErrors ? { ...parsed, fieldErrors: sortedKeys(parsed.fieldErrors) } : parsed;
	}
	return {
		...parsed,
		application: { ...parsed.application, answers: sortedKeys(parsed.application.answers) }
	};
}
