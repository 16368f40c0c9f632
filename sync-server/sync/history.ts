import type { ApplicationStatus } from '../../shared/status';
import type { Transaction } from '../db/open';
import { applicationHistory, type HistoryKind } from '../db/schema';

/** One change of an application, as the office's history shows it. */
export interface HistoryEntry {
	applicationId: string;
	kind: HistoryKind;
	/** Null at receipt. */
	fromStatus: ApplicationStatus | null;
	toStatus: ApplicationStatus;
	/** The signed-in account that acted, if any. */
	actor?: string | null;
	device?: string | null;
}

/**
 * Appends changes to `application_history`, in the transaction that made them: the history
 * commits with the change or not at all. One statement however many entries.
 */
export async function appendHistory(
	tx: Transaction,
	entries: readonly HistoryEntry[]
): Promise<void> {
	if (entries.length === 0) return;
	await tx.insert(applicationHistory).values(
		entries.map((e) => ({
			applicationId: e.applicationId,
			kind: e.kind,
			fromStatus: e.fromStatus,
			toStatus: e.toStatus,
			actor: e.actor ?? null,
			device: e.device ?? null
		}))
	);
}
