import type { FieldErrors } from '../../../shared/errors';
import type { ServiceDefinition, StepDefinition } from '../../../shared/services/definition';
import { computedAnswers, validateAnswers, type Answers } from '../../../shared/services/validate';
import type { DalaDatabase, Draft } from '../db/database';
import { track } from '../db/pending-writes';
import { refusedPhotos } from '../files/refused';
import { clearJournal, writeJournal } from './draft-journal';
import { stepErrors } from '../forms/steps';

/**
 * A draft being edited. Every change is written to a localStorage journal synchronously
 * and to IndexedDB at once, so a reload, a crash or an app update restores exactly what
 * the person typed, even the keystroke whose IndexedDB write had not committed.
 */
export class DraftEditor {
	readonly id: string;
	readonly service: ServiceDefinition;
	answers = $state<Answers>({});
	errors = $state.raw<FieldErrors>({});
	readonly #db: DalaDatabase;
	/** The stamp of the latest write; each change gets a later one, even within a millisecond. */
	#lastAt: number;

	constructor(db: DalaDatabase, draft: Draft, service: ServiceDefinition) {
		this.#db = db;
		this.id = draft.id;
		this.service = service;
		this.#lastAt = draft.updatedAt;
		this.answers = { ...draft.answers, ...computedAnswers(service, draft.answers) };
	}

	/** Records one answer and saves the draft. */
	set(name: string, value: string): void {
		this.answers[name] = value;
		// Figures worked out from answers (the tax due) follow every change, so the draft
		// holds what the person saw.
		Object.assign(this.answers, computedAnswers(this.service, $state.snapshot(this.answers)));
		if (this.errors[name]) {
			const { [name]: _fixed, ...rest } = this.errors;
			this.errors = rest;
		}
		const answers = $state.snapshot(this.answers);
		const at = (this.#lastAt = Math.max(Date.now(), this.#lastAt + 1));
		// The journal is written before this returns; the IndexedDB write may not commit
		// before a reload, and loading the draft applies the journal when it is newer.
		writeJournal(localStorage, this.id, { answers, at });
		void track(
			this.#db.drafts
				.update(this.id, { answers, updatedAt: at })
				.then(() => clearJournal(localStorage, this.id, at))
		);
	}

	/**
	 * Checks the answers with the service's rules, and the photos the server refused for
	 * good; keeps the errors that belong on `step` (all of them without one). True when
	 * there are none.
	 */
	async validate(step?: StepDefinition): Promise<boolean> {
		const answers = $state.snapshot(this.answers);
		const result = validateAnswers(this.service, answers);
		const errors = {
			...(await refusedPhotos(this.#db, this.service, answers)),
			...(result.ok ? {} : result.fieldErrors)
		};
		this.errors = step ? stepErrors(step, errors) : errors;
		return Object.keys(this.errors).length === 0;
	}

	/** Remembers the page the person is on, so opening the draft again resumes there. */
	remember(step: string): void {
		void track(this.#db.drafts.update(this.id, { step }));
	}
}
