/**
 * A draft started on a version of a service that has since been retired is moved to the
 * version the server accepts, by the migration rules each newer definition states, so a
 * person who began offline last month is asked only for what is new, never to start over.
 */
import type { ServiceDefinition } from '../../../shared/services/definition';
import { migrateAnswers } from '../../../shared/services/migrate';
import type { Answers } from '../../../shared/services/validate';
import type { Draft } from '../db/database';

export interface DraftMove {
	service: ServiceDefinition;
	answers: Answers;
	/** The inputs of the new version no rule filled: what the person is asked. */
	askOnly: string[];
}

/**
 * Where a draft made on `from` must move among `services` (every version the device
 * knows), or undefined when `from` is still accepted, or when no chain of migrations
 * reaches a version that is: then the server's refusal says so, as it would.
 */
export function draftMove(
	from: ServiceDefinition,
	services: readonly ServiceDefinition[],
	draft: Pick<Draft, 'answers' | 'amends'>
): DraftMove | undefined {
	// A correction belongs to the application it corrects, on that application's version.
	if (draft.amends || from.supported) return undefined;
	let answers = draft.answers;
	let askOnly: string[] = [];
	let at = from;
	while (!at.supported) {
		const next = services.find((s) => s.id === at.id && s.migration?.from === at.version);
		if (!next) return undefined;
		// The last step's new inputs: what no rule along the way filled.
		({ answers, newInputs: askOnly } = migrateAnswers(at, next, answers));
		at = next;
	}
	return { service: at, answers, askOnly };
}
