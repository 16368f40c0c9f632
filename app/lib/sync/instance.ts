import { db } from '../db/instance';
import { startSyncRunner, type SyncRunner } from './runner';

let runner: SyncRunner | undefined;

/** Starts background sync once per page and returns its handle. */
export function syncRunner(): SyncRunner {
	runner ??= startSyncRunner(db);
	return runner;
}
