/**
 * Catch-up: a kiosk that submitted 10,000 applications goes offline; the back office puts
 * every one of them in review meanwhile (10,000 status changes, through the office API by
 * signed-in reviewers of each application's region: reviewers.ts); the kiosk comes back
 * and pulls page after page until it is current.
 * Reported: the sum of the pull requests' durations (send to last byte, on loopback, so
 * it is the server's time plus a few microseconds of socket), and the bytes per change.
 */
import type { TypedApplication } from './documents';
import { Device, pushResults } from './device';
import { deviceAgent, send } from './http';
import { sum, utf8Bytes } from './stats';
import { wireBetween, wireTo, type WireCount } from './wire';
import { BATCH } from './ingest';
import type { SyncServer } from './processes';
import { reviewRegion, signedInReviewers } from './reviewers';
import type { StaffDevice } from '../support/staff-device';

export interface PullPass {
	/** The page size asked for; undefined = the server's default, as the app pulls. */
	limit: number | undefined;
	changes: number;
	requests: number;
	/** Sum of the request durations, in milliseconds. */
	serverMs: number;
	wallMs: number;
	/** JSON of the application states received, uncompressed. */
	rawBytes: number;
	/** How many of the states received were in review (the reviewers' change). */
	inReview: number;
	wire: WireCount;
}

export interface CatchUpResult {
	behind: number;
	/** Reviewer decisions per second while the kiosk was away (10 reviewers at once). */
	decisionsPerSecond: number;
	passes: PullPass[];
}

/** Pulls from `cursor` until the server says there is no more. */
async function pullAll(device: Device, port: number, cursor: string | undefined, limit?: number) {
	const durations: number[] = [];
	let changes = 0;
	let rawBytes = 0;
	let inReview = 0;
	let next = cursor;
	const wireBefore = wireTo(port);
	const start = performance.now();
	for (;;) {
		const { response, page } = await device.pull(next, limit);
		durations.push(response.ms);
		changes += page.changes.length;
		rawBytes += sum(page.changes.map((state) => utf8Bytes(JSON.stringify(state))));
		inReview += page.changes.filter((state) => state.status === 'in_review').length;
		next = page.cursor;
		if (!page.hasMore) break;
	}
	const pass: PullPass = {
		limit,
		changes,
		requests: durations.length,
		serverMs: sum(durations),
		wallMs: performance.now() - start,
		rawBytes,
		inReview,
		wire: wireBetween(wireBefore, wireTo(port))
	};
	return { pass, cursor: next };
}

/**
 * Moves each application to `in_review` through the office API, `workers` at once, each
 * decision signed and sent by the reviewer of its region.
 */
async function review(
	port: number,
	decisions: readonly { id: string; reviewer: StaffDevice }[],
	workers: number
) {
	let next = 0;
	await Promise.all(
		Array.from({ length: workers }, async () => {
			const agent = deviceAgent();
			try {
				for (let i = next++; i < decisions.length; i = next++) {
					const { id, reviewer } = decisions[i]!;
					const path = `/api/office/applications/${id}/decision`;
					const body = Buffer.from(JSON.stringify({ status: 'in_review', baseVersion: 1 }));
					const headers = await reviewer.headers('POST', path, body);
					const response = await send(agent, port, 'POST', path, headers, body);
					if (response.status !== 200) {
						throw new Error(`review answered ${response.status}: ${response.body.toString()}`);
					}
				}
			} finally {
				agent.destroy();
			}
		})
	);
}

/** `databaseUrl`: the server's database, where the reviewers are made. */
export async function catchUp(
	server: SyncServer,
	databaseUrl: string,
	applications: readonly TypedApplication[]
): Promise<CatchUpResult> {
	const { port } = server;
	const kiosk = await Device.create(port);
	try {
		await kiosk.register();
		await kiosk.signIn(server);
		const ids: string[] = [];
		for (let i = 0; i < applications.length; i += BATCH) {
			const mutations = kiosk.submissions(applications.slice(i, i + BATCH));
			const results = pushResults(await kiosk.sendPush(kiosk.preparePush(mutations)));
			for (const result of results) {
				if (result.status !== 'applied') throw new Error(`kiosk push: ${result.status}`);
				ids.push(result.application.id);
			}
		}
		// Current before going away: the cursor the kiosk holds while offline.
		const { cursor } = await pullAll(kiosk, port, undefined);
		const regions = applications.map(reviewRegion);
		const reviewers = await signedInReviewers(databaseUrl, port, new Set(regions));
		const decisions = ids.map((id, i) => ({ id, reviewer: reviewers.get(regions[i]!)! }));

		const reviewStart = performance.now();
		await review(port, decisions, 10);
		const decisionsPerSecond = ids.length / ((performance.now() - reviewStart) / 1000);

		// The same catch-up twice, from the same cursor (a pull writes nothing): with the page
		// size the app uses, and with the largest page the server allows.
		const passes: PullPass[] = [];
		for (const limit of [undefined, 500]) {
			const { pass } = await pullAll(kiosk, port, cursor, limit);
			if (pass.changes !== ids.length || pass.inReview !== ids.length) {
				throw new Error(
					`catch-up brought ${pass.changes} of ${ids.length} changes, ${pass.inReview} in review`
				);
			}
			passes.push(pass);
		}
		return { behind: ids.length, decisionsPerSecond, passes };
	} finally {
		kiosk.close();
	}
}
