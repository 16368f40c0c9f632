import { and, eq, sql } from 'drizzle-orm';
import { RejectCode } from '../../shared/errors';
import type { Mutation, MutationResult } from '../../shared/protocol';
import { regionOf } from '../../shared/services/region';
import { validateAnswers } from '../../shared/services/validate';
import { mayAmend, statusAfterAmend } from '../../shared/status';
import { stateColumns, toApplicationState } from './application-state';
import type { Catalogue } from '../catalogue/catalogue';
import { missingFiles } from '../files/attached-files';
import { applications, feedMove, HistoryKind } from '../db/schema';
import { appendHistory } from './history';
import type { Transaction } from '../db/open';
import { rejected } from './mutation-result';

export type Amend = Extract<Mutation, { type: 'application.amend' }>;

/**
 * The citizen corrects the answers of an application they own, from any of their devices. Runs inside the push's
 * transaction, after every earlier mutation of the batch, so it sees an application
 * submitted earlier in the same batch. The row is locked until the push commits, so a
 * reviewer's decision lands either wholly before (and this answers `conflict`) or after.
 */
export async function amendApplication(
	tx: Transaction,
	sender: { ownerId: string; deviceId: string; actor?: string },
	m: Amend,
	catalogue: Catalogue
): Promise<MutationResult> {
	// Owner and existence in one condition: someone else's application is "not found",
	// exactly like one that does not exist, so ids reveal nothing. Any device of the owner
	// may correct it, not only the one that sent it.
	const [row] = await tx
		.select(stateColumns)
		.from(applications)
		.where(and(eq(applications.id, m.applicationId), eq(applications.ownerId, sender.ownerId)))
		.for('update');
	if (!row) return rejected(m.id, RejectCode.notFound);
	// A decision is a legal record: once made, the answers it was made on stay.
	if (!mayAmend(row.status)) return rejected(m.id, RejectCode.applicationClosed);
	// The person changed a version the server has moved past: never last-writer-wins;
	// send the current state so the device can show both and let the person choose.
	if (row.version !== m.baseVersion) {
		return { mutationId: m.id, status: 'conflict', application: toApplicationState(row) };
	}
	// Checked against the version of the service the application was made with.
	const service = catalogue.find(row.serviceId, row.serviceVersion);
	if (!service) return rejected(m.id, RejectCode.unsupportedServiceVersion);
	const validation = validateAnswers(service, m.answers);
	if (!validation.ok) return rejected(m.id, RejectCode.invalidAnswers, validation.fieldErrors);
	// Every photo it names, kept or new, must be one of the owner's files.
	const [missing] = await missingFiles(tx, sender.ownerId, [
		{ service, answers: validation.answers }
	]);
	if (Object.keys(missing!).length > 0) {
		return rejected(m.id, RejectCode.invalidAnswers, missing);
	}

	// Answering a request for more information sends it back to review (shared/status.ts),
	// with its assignee, if any, kept; the request is answered, so it goes.
	const status = statusAfterAmend(row.status);
	const answered = status !== row.status;
	const [updated] = await tx
		.update(applications)
		.set({
			answers: validation.answers,
			...(answered ? { status, requestedFields: null, requestMessage: null } : {}),
			// A corrected address may move it to another region's reviewers (or out of all).
			region: regionOf(service, validation.answers),
			version: sql`${applications.version} + 1`,
			updatedAt: sql`now()`,
			...feedMove
		})
		.where(eq(applications.id, row.id))
		.returning(stateColumns);
	if (!updated) throw new Error(`application ${row.id} was locked but cannot be updated`);
	await appendHistory(tx, [
		{
			applicationId: row.id,
			kind: answered ? HistoryKind.answered : HistoryKind.amended,
			fromStatus: row.status,
			toStatus: updated.status,
			actor: sender.actor,
			device: sender.deviceId
		}
	]);
	return { mutationId: m.id, status: 'applied', application: toApplicationState(updated) };
}
