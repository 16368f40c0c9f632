import { and, eq, isNotNull } from 'drizzle-orm';
import type { ApplicationState } from '../../shared/protocol';
import { ApplicationStatus } from '../../shared/status';
import type { Sms, SmsSender } from '../accounts/sms-sender';
import type { Database } from '../db/open';
import { accounts, applications } from '../db/schema';
import type { Logger } from '../http/log';

type Told = Extract<Sms, { kind: 'decision' }>['status'];

/** The statuses a decision tells the applicant of. */
const TOLD: ReadonlySet<string> = new Set<Told>([
	ApplicationStatus.approved,
	ApplicationStatus.rejected,
	ApplicationStatus.moreInformation
]);
const isTold = (status: string): status is Told => TOLD.has(status);

/**
 * Tells the applicant by SMS that the office decided, at the phone their account verified
 * last; after the decision committed, so a gateway that fails loses the SMS and never the
 * decision, which their phone pulls all the same. Taking it into review is not news.
 * The log names the application, never the phone.
 */
export async function notifyDecision(
	db: Database,
	sender: SmsSender,
	log: Logger,
	application: ApplicationState
): Promise<void> {
	if (isTold(application.status)) await tell(db, sender, log, application, application.status);
}

/** Tells the holder by SMS, as a decision is told, that their document was revoked. */
export async function notifyRevocation(
	db: Database,
	sender: SmsSender,
	log: Logger,
	application: ApplicationState
): Promise<void> {
	await tell(db, sender, log, application, 'document_revoked');
}

async function tell(
	db: Database,
	sender: SmsSender,
	log: Logger,
	application: ApplicationState,
	status: Told
): Promise<void> {
	try {
		const [owner] = await db
			.select({ phone: accounts.phone })
			.from(applications)
			.innerJoin(accounts, eq(accounts.ownerId, applications.ownerId))
			.where(
				and(
					eq(applications.id, application.id),
					eq(accounts.role, 'citizen'),
					isNotNull(accounts.phone)
				)
			);
		if (!owner?.phone) return;
		await sender.send(owner.phone, { kind: 'decision', reference: application.reference, status });
	} catch (error) {
		log.warn('decision SMS not sent', {
			application: application.id,
			error: error instanceof Error ? error.message : String(error)
		});
	}
}
