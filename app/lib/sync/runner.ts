import { liveQuery } from 'dexie';
import { refreshCatalogue } from '../catalogue/device-catalogue';
import { fetchRevocationList } from '../documents/kept-revocations';
import { refreshTrustList } from '../documents/trust-list';
import { pruneDeliveredPhotos } from '../files/prune';
import { sessionTokens } from './session-tokens';
import { getMeta, type DalaDatabase } from '../db/database';
import { fileSender } from './file-sender';
import { deviceIdentity } from './device';
import { SyncEngine, waitsForPerson } from './engine';
import { electLeader } from './leader';
import { BACKGROUND_SYNC_TAG } from './names';
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
 * becoming visible, a timer, the person's "Sync now", the retry timer after a failure,
 * and Background Sync from the service worker where the browser has it (Chromium only;
 * nothing depends on it).
 */
export function startSyncRunner(db: DalaDatabase): SyncRunner {
	const channel = new BroadcastChannel('dala-sync');
	let engine: SyncEngine | null = null;
	let retryTimer: ReturnType<typeof setTimeout> | undefined;

	// The services catalogue, revalidated by ETag, and the keys and revocation list documents
	// are checked with (so /verify answers offline with the newest lists this phone saw); one
	// request of each at a time, failing quietly.
	let refreshing: Promise<unknown> | undefined;
	const refresh = () =>
		void (refreshing ??= Promise.all([
			refreshCatalogue(db),
			refreshTrustList(),
			// Fetched as it comes, for the next check to read (kept-revocations.ts says why).
			fetchRevocationList()
		]).finally(() => (refreshing = undefined)));

	// Photos stay a week after delivery: once an hour is often enough to look.
	let prunedAt = 0;
	const prune = () => {
		if (Date.now() - prunedAt < 60 * 60 * 1000) return;
		prunedAt = Date.now();
		void pruneDeliveredPhotos(db).catch(() => {});
	};

	const run = () => {
		if (engine && leading()) {
			void engine.sync().then(async (ok) => {
				// After the pass, never before or during it: the outbox goes first.
				refresh();
				prune();
				if (!ok && !waitsForPerson((await getMeta(db, 'sync'))?.lastError)) {
					askForBackgroundSync();
				}
			});
		} else channel.postMessage('sync');
	};
	// At start in every tab too: the first sync of a new device may take a while.
	refresh();
	// Automatic triggers act only in the leading tab, and stay quiet while the browser
	// knows it is offline or backing off; the person's own "Sync now" always tries.
	const runIfLeading = () => leading() && run();
	const runIfUseful = async () => {
		if (!leading() || !navigator.onLine) return;
		const state = await getMeta(db, 'sync');
		if (state?.nextAttemptAt && state.nextAttemptAt > Date.now()) return;
		if (waitsForPerson(state?.lastError)) return;
		run();
	};

	const leading = electLeader(async () => {
		if (!engine) {
			const device = await deviceIdentity(db);
			const session = sessionTokens(db, device, {}, () => location.reload());
			engine = new SyncEngine({
				db,
				transport: httpTransport(device, { session }),
				files: fileSender(db, device, { session }),
				scheduleRetry: (delay) => {
					clearTimeout(retryTimer);
					retryTimer = setTimeout(run, delay);
				}
			});
		}
		await engine.reset();
		run();
	});

	channel.onmessage = runIfLeading;
	navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
		if ((event.data as { type?: string } | null)?.type === 'sync') runIfLeading();
	});
	addEventListener('online', runIfLeading);
	document.addEventListener('visibilitychange', () => {
		if (document.visibilityState === 'visible') void runIfUseful();
	});
	setInterval(() => void runIfUseful(), POLL_MS);
	// Whenever any tab queues a mutation: a new highest seq. (A count would miss a
	// conflict resolved by replacing one entry with a new one.)
	let newest = -1;
	liveQuery(async () => (await db.outbox.orderBy('seq').last())?.seq ?? 0).subscribe((seq) => {
		if (newest >= 0 && seq > newest) runIfLeading();
		newest = seq;
	});

	return { request: run };
}

/**
 * Asks the browser to wake the service worker when the network returns, even if every
 * tab has been closed by then. Chromium only; elsewhere the next visit syncs.
 */
function askForBackgroundSync(): void {
	void navigator.serviceWorker?.ready
		.then((registration) => {
			const sync = (registration as { sync?: { register(tag: string): Promise<void> } }).sync;
			return sync?.register(BACKGROUND_SYNC_TAG);
		})
		.catch(() => {
			// Refused (permission, unsupported): the page's own triggers still apply.
		});
}
