import * as v from 'valibot';
import { ErrorCode } from '../../../shared/errors';
import { LINK_CODE_TTL_MS, LinkCode } from '../../../shared/protocol';
import type { LinkProblem } from '$lib/i18n/messages';
import type { SyncRunner } from '$lib/sync/runner';
import { SyncError } from '$lib/sync/transport';

/** A code this device shows, and when it stops working by this device's clock. */
export interface ShownCode {
	code: string;
	expiresAt: number;
}

/** The problems that are about the typed code, shown at its field. */
const ABOUT_THE_CODE: ReadonlySet<LinkProblem> = new Set([
	'required',
	'format',
	'own_code',
	'invalid_code',
	'maybe_used'
]);

/** A failed request as the person needs to hear it. */
function problemOf(error: unknown): LinkProblem {
	if (!(error instanceof SyncError)) return 'server';
	if (error.code === ErrorCode.invalidLinkCode) return 'invalid_code';
	if (error.code === ErrorCode.tooManyLinkCodes) return 'too_many_codes';
	if (error.code === ErrorCode.rateLimited) return 'too_many_tries';
	if (error.code === ErrorCode.linkBusy) return 'busy';
	if (error.code === ErrorCode.signedInDevice) return 'signed_in';
	if (error.kind === 'offline' || error.kind === 'update_required') return error.kind;
	return 'server';
}

/**
 * The server's clock set `expiresAt`, and a cheap phone's clock can be hours off. The
 * lifetime left that it implies is believed only when it is plausible; otherwise the
 * code is given its whole lifetime from now (the server still decides).
 */
function localExpiry(expiresAt: string, now: number): number {
	const left = Date.parse(expiresAt) - now;
	return now + (left > 0 && left <= LINK_CODE_TTL_MS ? left : LINK_CODE_TTL_MS);
}

/**
 * Linking this device with another of the same person: showing a code here, or typing
 * the code another device shows. Linking needs the server, so with no connection it
 * says so at once rather than queueing.
 */
export class DeviceLink {
	readonly #runner: SyncRunner;

	/** The code on show, or null. */
	shown = $state.raw<ShownCode | null>(null);
	offering = $state(false);
	offerProblem = $state.raw<LinkProblem | null>(null);

	/** What the person types, as typed. */
	code = $state('');
	accepting = $state(false);
	acceptProblem = $state.raw<LinkProblem | null>(null);
	/** After a link: how many devices the person now has. */
	linkedDevices = $state<number | null>(null);
	/** A code whose last try ended with no answer: the server may have used it. */
	#unanswered: string | null = null;

	constructor(runner: SyncRunner) {
		this.#runner = runner;
	}

	/** The problem with the typed code, if it is one the field should show. */
	get codeProblem(): LinkProblem | null {
		return this.acceptProblem && ABOUT_THE_CODE.has(this.acceptProblem) ? this.acceptProblem : null;
	}

	/** Asks the server for a code to show. */
	async offer(): Promise<void> {
		if (this.offering) return;
		this.offerProblem = null;
		if (!navigator.onLine) {
			this.offerProblem = 'offline';
			return;
		}
		this.offering = true;
		try {
			const offer = await this.#runner.offerLink();
			this.shown = { code: offer.code, expiresAt: localExpiry(offer.expiresAt, Date.now()) };
		} catch (error) {
			this.offerProblem = problemOf(error);
		} finally {
			this.offering = false;
		}
	}

	/** Checks the typed code and, if it is one, joins the device that showed it. */
	async accept(): Promise<void> {
		if (this.accepting) return;
		this.linkedDevices = null;
		this.acceptProblem = null;
		if (this.code.trim() === '') {
			this.acceptProblem = 'required';
			return;
		}
		const parsed = v.safeParse(LinkCode, this.code);
		if (!parsed.success) {
			this.acceptProblem = 'format';
			return;
		}
		const code = parsed.output;
		if (code === this.shown?.code) {
			this.acceptProblem = 'own_code';
			return;
		}
		if (!navigator.onLine) {
			this.acceptProblem = 'offline';
			return;
		}
		this.accepting = true;
		try {
			const { devices } = await this.#runner.acceptLink(code);
			this.linkedDevices = devices;
			this.code = '';
			this.#unanswered = null;
		} catch (error) {
			const problem = problemOf(error);
			// A code refused after a try that got no answer was most likely used by that try.
			this.acceptProblem =
				problem === 'invalid_code' && this.#unanswered === code ? 'maybe_used' : problem;
			if (problem === 'offline' || problem === 'server') this.#unanswered = code;
		} finally {
			this.accepting = false;
		}
	}
}
