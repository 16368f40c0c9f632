/**
 * A reviewer signed in as themselves deciding applications through the office API
 * (`POST /api/office/applications/:id/decision`), over the same faulty proxy as the
 * devices: a decision can commit and its answer be lost, just like a push.
 */
import type { ApplicationState } from '../../shared/protocol';
import type { StaffDevice } from '../support/staff-device';
import { sleep, type Rng } from './random';

export type Verdict = 'in_review' | 'approved' | 'rejected';

/** One decision and what finally became of it. */
export interface DecisionRecord {
	applicationId: string;
	status: Verdict;
	baseVersion: number;
	/** `applied`: it took effect. `conflict`/`closed`: something else got there first. */
	outcome: 'applied' | 'conflict' | 'closed';
}

interface DecisionAnswer {
	status: 'applied' | 'conflict' | 'closed';
	application: ApplicationState;
}

export class Reviewer {
	readonly #baseUrl: string;
	readonly #device: StaffDevice;
	readonly #rng: Rng;
	readonly decisions: DecisionRecord[] = [];
	/** Attempts that got no definite answer (cut, reset, server gone) and were repeated. */
	retries = 0;

	/** `device`: a reviewer of the national queue, where every chaos application is. */
	constructor(baseUrl: string, device: StaffDevice, rng: Rng) {
		this.#baseUrl = baseUrl;
		this.#device = device;
		this.#rng = rng;
	}

	/**
	 * Decides until the server gives a definite answer. A repeat after a lost answer may
	 * find its own earlier attempt committed; it is told `conflict`/`closed` with the
	 * state that attempt made, which is recognised here as applied. Sound because the
	 * reviewer is the only one who sets a status: nobody else can produce that state.
	 * Each attempt is signed anew: the same nonce again would be refused as replayed.
	 */
	async decide(
		applicationId: string,
		status: Verdict,
		baseVersion: number,
		deadline: number
	): Promise<DecisionRecord> {
		const body = {
			status,
			baseVersion,
			...(status === 'rejected' && { reason: 'The business address is incomplete.' })
		};
		for (;;) {
			if (Date.now() > deadline) throw new Error(`decision on ${applicationId} never answered`);
			const answer = await this.#post(applicationId, body);
			if (answer) {
				const { application } = answer;
				const mine = application.status === status && application.version === baseVersion + 1;
				const outcome = answer.status === 'applied' || mine ? 'applied' : answer.status;
				const record: DecisionRecord = { applicationId, status, baseVersion, outcome };
				this.decisions.push(record);
				return record;
			}
			this.retries += 1;
			await sleep(this.#rng.int(50, 300));
		}
	}

	/** One attempt: the answer, or null when there was none worth reading (retry). */
	async #post(applicationId: string, body: object): Promise<DecisionAnswer | null> {
		let response: Response;
		let text: string;
		try {
			response = await this.#device.post(
				this.#baseUrl,
				`/api/office/applications/${applicationId}/decision`,
				body,
				{ signal: AbortSignal.timeout(10_000) }
			);
			text = await response.text();
		} catch {
			return null;
		}
		if (response.status >= 500) return null;
		if (response.status !== 200 && response.status !== 409) {
			throw new Error(`office API answered ${response.status}: ${text}`);
		}
		try {
			return JSON.parse(text) as DecisionAnswer;
		} catch {
			// A body cut by the proxy can still arrive with a 200 status line.
			return null;
		}
	}
}
