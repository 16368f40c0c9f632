import { and, eq, isNotNull } from 'drizzle-orm';
import type { ApplicationState } from '../../shared/protocol';
import { ApplicationStatus } from '../../shared/status';
import type { SmsSender } from '../accounts/sms-sender';
import type { Database } from '../db/open';
import { accounts, applications } from '../db/schema';
import type { Logger } from '../http/log';

const TOLD: ReadonlySet<string> = new Set([
	ApplicationStatus.approved,
	ApplicationStatus.rejected,
	ApplicationStatus.moreInformation
]);

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
	if (!TOLD.has(application.status)) return;
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
		await sender.send(owner.phone, {
			kind: 'decision',
			reference: application.reference,
			status: application.status as 'approved' | 'rejected' | 'more_information'
		});
	} catch (error) {
		log.warn('decision SMS not sent', {
			application: application.id,
			error: error instanceof Error ? error.message : String(error)
		});
	}
}
