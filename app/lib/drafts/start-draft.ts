import { v7 as uuidv7 } from 'uuid';
import type { ApplicationState } from '../../../shared/protocol';
import type { Answers } from '../../../shared/services/validate';
import type { DalaDatabase, Draft } from '../db/database';

/** Starts a draft for a service; its id becomes the application's id. */
export async function createDraft(
	db: DalaDatabase,
	serviceId: string,
	serviceVersion: number,
	answers: Answers = {}
): Promise<Draft> {
	const now = Date.now();
	const draft: Draft = {
		id: uuidv7(),
		serviceId,
		serviceVersion,
		answers,
		createdAt: now,
		updatedAt: now
	};
	await db.drafts.add(draft);
	return draft;
}

/**
 * Starts a correction of an application the server holds, from the answers it holds,
 * based on the server version the person is looking at.
 */
export async function startAmendment(
	db: DalaDatabase,
	server: ApplicationState,
	asked?: readonly string[]
): Promise<Draft> {
	const now = Date.now();
	const draft: Draft = {
		id: uuidv7(),
		serviceId: server.serviceId,
		serviceVersion: server.serviceVersion,
		answers: { ...server.answers },
		amends: { applicationId: server.id, baseVersion: server.version },
		...(asked && asked.length > 0 ? { asked: [...asked] } : {}),
		createdAt: now,
		updatedAt: now
	};
	await db.drafts.add(draft);
	return draft;
}

/**
 * Starts the answer to a request for more information: a correction of the application,
 * based on the server version that asked, with the asked inputs marked on the form. The
 * person may change other answers too; only the steps holding asked inputs are visited.
 */
export async function startAnswer(db: DalaDatabase, server: ApplicationState): Promise<Draft> {
	return startAmendment(db, server, server.request?.fields);
}
