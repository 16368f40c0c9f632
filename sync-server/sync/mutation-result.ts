import * as v from 'valibot';
import type { FieldErrors, RejectCode } from '../../shared/errors';
import { MutationResult, type Mutation } from '../../shared/protocol';
import { sortedKeys } from './application-state';

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
	const { answers, ...state } = parsed.application;
	return { ...parsed, application: answers ? { ...state, answers: sortedKeys(answers) } : state };
}

/**
 * Leaves the answers out of a result when they are exactly what the mutation sent: the
 * device has them already, and they are most of a push's answer on the wire.
 */
export function withoutEchoedAnswers(result: MutationResult, m: Mutation): MutationResult {
	if (result.status === 'rejected' || !result.application.answers) return result;
	const { answers, ...state } = result.application;
	const sent = m.answers;
	const keys = Object.keys(answers);
	const echoed =
		keys.length === Object.keys(sent).length && keys.every((key) => sent[key] === answers[key]);
	return echoed ? { ...result, application: state } : result;
}
