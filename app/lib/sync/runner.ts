import { liveQuery } from 'dexie';
import { deviceId, getMeta, type DalaDatabase } from '../db/database';
import { SyncEngine } from './engine';
import { whenLeader } from './leader';
import { httpTransport } from './transport';

const POLL_MS = 60_000;

export interface SyncRunner {
	/** Sync now, in whichever tab leads. */
	request(): void;
}

/**
 * Starts syncing in the background. One tab leads and runs the engine; the others ask
 * it to sync over a BroadcastChannel and follow its progress through liveQuery.
 * Triggers: app start, a new item in the outbox (from any tab), coming online, the page
 * becoming visible, a timer, the person's "Sync now", and the retry timer after a failure.
 */
export function startSyncRunner(db: DalaDatabase): SyncRunner {
	const channel = new BroadcastChannel('dala-sync');
	let engine: SyncEngine | null = null;
	let retryTimer: ReturnType<typeof setTimeout> | undefined;

	const run = () => {
		if (engine) void engine.sync();
		else channel.postMessage('sync');
	};
	// Automatic triggers stay quiet while the browser knows it is offline or backing off;
	// the person's own "Sync now" always tries.
	const runIfUseful = async () => {
		if (!navigator.onLine) return;
		const state = await getMeta(db, 'sync');
		if (state?.nextAttemptAt && state.nextAttemptAt > Date.now()) return;
		run();
	};

	whenLeader('dala-sync-leader', async () => {
		const transport = httpTransport(await deviceId(db));
		engine = new SyncEngine({
			db,
			transport,
			scheduleRetry: (delay) => {
				clearTimeout(retryTimer);
				retryTimer = setTimeout(run, delay);
			}
		});
		await engine.reset();
		channel.onmessage = run;
		addEventListener('online', run);
		document.addEventListener('visibilitychange', () => {
			if (document.visibilityState === 'visible') void runIfUseful();
		});
		setInterval(() => void runIfUseful(), POLL_MS);
		// Fires at once (the start trigger) and whenever any tab queues a mutation.
		let waiting = -1;
		liveQuery(() => db.outbox.count()).subscribe((count) => {
			if (count > waiting) run();
			waiting = count;
		});
	});

	return { request: run };
}
