import { liveQuery } from 'dexie';
import type { LinkAcceptResponse, LinkOfferResponse } from '../../../shared/protocol';
import { refreshCatalogue } from '../catalogue/device-catalogue';
import { pruneDeliveredPhotos } from '../files/prune';
import { sessionTokens } from './session-tokens';
import { getMeta, type DalaDatabase, type DeviceIdentity } from '../db/database';
import { fileSender } from './file-sender';
import { deviceIdentity } from './device';
import { SyncEngine } from './engine';
import { electLeader } from './leader';
import { acceptLinkCode } from './link';
import { BACKGROUND_SYNC_TAG } from './names';
import { httpTransport, type SessionTokens, type SyncTransport } from './transport';

const POLL_MS = 60_000;

export interface SyncRunner {
	/** Sync now, in whichever tab leads. */
	request(): void;
	/** A code for another device of this person; throws a SyncError. */
	offerLink(): Promise<LinkOfferResponse>;
	/**
	 * Joins the owner of the device that offered `code` and asks for a sync, which brings
	 * that owner's applications; throws a SyncError (`invalid_link_code` when refused).
	 */
	acceptLink(code: string): Promise<LinkAcceptResponse>;
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
	// One per tab: the leading tab's engine and any tab's link requests share it.
	let transport: Promise<SyncTransport> | undefined;
	let session: SessionTokens | undefined;
	const sessionOf = (device: DeviceIdentity) =>
		(session ??= sessionTokens(db, device, {}, () => location.reload()));
	const transportOnce = () =>
		(transport ??= deviceIdentity(db).then(
			(device) => httpTransport(device, { session: sessionOf(device) }),
			(error: unknown) => {
				transport = undefined;
				throw error;
			}
		));

	// The services catalogue, revalidated by ETag; one request at a time, failing quietly.
	let refreshing: Promise<unknown> | undefined;
	const refresh = () =>
		void (refreshing ??= refreshCatalogue(db).finally(() => (refreshing = undefined)));

	// Photos stay a week after delivery: once an hour is often enough to look.
	let prunedAt = 0;
	const prune = () => {
		if (Date.now() - prunedAt < 60 * 60 * 1000) return;
		prunedAt = Date.now();
		void pruneDeliveredPhotos(db).catch(() => {});
	};

	const run = () => {
		if (engine && leading()) {
			void engine.sync().then((ok) => {
				// After the pass, never before or during it: the outbox goes first.
				refresh();
				prune();
				return ok || askForBackgroundSync();
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
		run();
	};

	const leading = electLeader(async () => {
		const device = await deviceIdentity(db);
		engine ??= new SyncEngine({
			db,
			transport: await transportOnce(),
			files: fileSender(db, device, { session: sessionOf(device) }),
			scheduleRetry: (delay) => {
				clearTimeout(retryTimer);
				retryTimer = setTimeout(run, delay);
			}
		});
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

	return {
		request: run,
		// Linking is not syncing: the request goes from whichever tab the person uses (the
		// leader may be another tab, or the service worker), and only the sync that follows
		// runs in the leader.
		offerLink: async () => (await transportOnce()).offerLink(),
		async acceptLink(code) {
			const linked = await acceptLinkCode(db, await transportOnce(), code);
			run();
			return linked;
		}
	};
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
