import * as v from 'valibot';
import { MAX_REASON_LENGTH, type OfficeApplication } from '../../../../../../shared/office';
import { ApplicationStatus } from '../../../../../../shared/status';
import { m } from '$lib/paraglide/messages';
import { decideApplication } from '$lib/office/office-api';
import { SyncError } from '$lib/sync/transport';

export type Choice = '' | 'approve' | 'ask' | 'reject';
export type DecisionField = 'choice' | 'fields' | 'message' | 'reason' | 'words' | 'form';

/** The reason picked when the reviewer writes their own. */
export const OTHER_REASON = 'other';

/**
 * A reviewer's decision as the form holds it: checked here for what the person can fix
 * before it is sent, then sent on the version the reviewer looked at. Whatever is typed
 * stays when the server refuses; a change made meanwhile (`409`) is for the page to show.
 */
export class DecisionForm {
	choice = $state<Choice>('');
	fields = $state<string[]>([]);
	message = $state('');
	reasonCode = $state('');
	words = $state('');
	busy = $state(false);
	/** Each problem as its message, made when shown: it follows a change of language. */
	problems = $state.raw<Partial<Record<DecisionField, () => string>>>({});

	#check(): Partial<Record<DecisionField, () => string>> {
		const found: Partial<Record<DecisionField, () => string>> = {};
		if (this.choice === '') found.choice = () => m.office_error_choose();
		if (this.choice === 'ask') {
			if (this.fields.length === 0) found.fields = () => m.office_error_fields();
			if (this.message.trim() === '') found.message = () => m.office_error_message();
			else if (this.message.length > MAX_REASON_LENGTH)
				found.message = () => m.office_error_too_long();
		}
		if (this.choice === 'reject') {
			const own = this.reasonCode === OTHER_REASON || this.reasonCode === '';
			if (this.reasonCode === '' || (own && this.words.trim() === '')) {
				found.reason = () => m.office_error_reason();
			}
			if (this.words.length > MAX_REASON_LENGTH) found.words = () => m.office_error_too_long();
		}
		return found;
	}

	/** The decision as the server takes it (docs/sync-protocol.md). */
	#body(baseVersion: number) {
		if (this.choice === 'approve') return { status: ApplicationStatus.approved, baseVersion };
		if (this.choice === 'ask') {
			return {
				status: ApplicationStatus.moreInformation,
				fields: this.fields,
				message: this.message.trim(),
				baseVersion
			};
		}
		const code = this.reasonCode === OTHER_REASON ? undefined : this.reasonCode;
		const words = this.words.trim();
		return {
			status: ApplicationStatus.rejected,
			...(code ? { reasonCode: code } : {}),
			...(words ? { reason: words } : {}),
			baseVersion
		};
	}

	/**
	 * Sends the decision on `application` as the reviewer saw it. 'applied', 'changed' (the
	 * application moved meanwhile: nothing was recorded; look again), or undefined when the
	 * form shows what to fix.
	 */
	async submit(application: OfficeApplication): Promise<'applied' | 'changed' | undefined> {
		if (this.busy) return undefined;
		this.problems = this.#check();
		if (Object.keys(this.problems).length > 0) return undefined;
		this.busy = true;
		try {
			await decideApplication(application.id, this.#body(application.version));
			return 'applied';
		} catch (error) {
			if (error instanceof SyncError && error.status === 409) return 'changed';
			this.problems = { form: problemText(error) };
			return undefined;
		} finally {
			this.busy = false;
		}
	}
}

function problemText(error: unknown): () => string {
	if (error instanceof SyncError && error.kind === 'offline') return () => m.staff_error_offline();
	// What this form could not check: the server's words (a reason code it no longer knows).
	const issues = error instanceof SyncError ? error.issues : undefined;
	if (issues && v.is(v.record(v.string(), v.string()), issues)) {
		return () => Object.values(issues).join('; ');
	}
	return () => m.signin_error_server();
}
