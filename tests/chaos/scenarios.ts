/**
 * What the reviewer and the person do to one application beyond submitting it. Each kind
 * has an outcome the checks can hold the server to (checks.ts), whatever the faults did
 * to the requests on the way.
 */
import type { ApplicationState } from '../../shared/protocol';
import type { SimDevice } from './devices';
import { sleep, type Rng } from './random';
import type { Reviewer, Verdict } from './reviewer';

export type ScenarioKind =
	/** The person corrects it; nobody else touches it: the correction must apply. */
	| 'amend'
	/** The reviewer approves or rejects it, then the person corrects the old version. */
	| 'closed'
	/** The reviewer takes it in review, then the person corrects the old version. */
	| 'conflict'
	/** The person and the reviewer change the same version at once: exactly one wins. */
	| 'race'
	/** Only the reviewer acts: in review, then a final decision. */
	| 'decide';

/** The scenarios each device plays, on applications it queued before it first synced. */
export const SCENARIOS: readonly ScenarioKind[] = [
	'amend',
	'amend',
	'closed',
	'conflict',
	'race',
	'race',
	'decide'
];

export interface Scenario {
	kind: ScenarioKind;
	device: SimDevice;
	applicationId: string;
	/** Set when the application never reached its device, so nothing more was played. */
	unplayed?: string;
}

// Long enough for any application to get through the faults and kills; short enough
// that a lost one fails the run in its checks rather than at the test's timeout.
const RECEIVE_WITHIN_MS = 30_000;

/** Plays one scenario through to its last request's definite answer. */
export async function playScenario(
	scenario: Scenario,
	reviewer: Reviewer,
	rng: Rng,
	deadline: number
): Promise<void> {
	const { kind, device, applicationId: id } = scenario;
	const seen = await received(device, id, Math.min(deadline, Date.now() + RECEIVE_WITHIN_MS));
	if (!seen) {
		scenario.unplayed = `${id} never reached ${device.name}`;
		return;
	}
	const decide = (status: Verdict, base: number) => reviewer.decide(id, status, base, deadline);
	const final = (): Verdict => (rng.chance(0.5) ? 'approved' : 'rejected');
	await sleep(rng.int(0, 2_000));
	switch (kind) {
		case 'amend':
			// From what the screen shows (the mirror), as the app does.
			await device.amend(id, 1);
			break;
		case 'closed':
			await decide(final(), seen.version);
			// From the screen as it was before the decision: an offline correction.
			await device.amend(id, 1, seen);
			break;
		case 'conflict':
			await decide('in_review', seen.version);
			await device.amend(id, 1, seen);
			break;
		case 'race': {
			// The correction is queued first, but it waits for the device's next pass while
			// the decision goes at once: a short head start keeps either side able to win.
			const verdict: Verdict = rng.chance(0.5) ? 'in_review' : 'approved';
			await device.amend(id, 1, seen);
			await sleep(rng.int(0, 600));
			await decide(verdict, seen.version);
			break;
		}
		case 'decide':
			await decide('in_review', seen.version);
			await decide(final(), seen.version + 1);
			break;
	}
}

/** The application as the device first shows it from the server (received, version 1). */
async function received(
	device: SimDevice,
	applicationId: string,
	deadline: number
): Promise<ApplicationState | null> {
	for (;;) {
		if (Date.now() > deadline) return null;
		// The tab may be restarting: a closed database is "not yet", not a failure.
		const state = await device.db.mirror.get(applicationId).catch(() => undefined);
		if (state) return state;
		await sleep(100);
	}
}
