import { and, asc, count, eq, gt, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { NATIONAL_REGION } from '../../shared/accounts';
import { isValidIin } from '../../shared/iin';
import { QUEUE_PAGE_SIZE, WAITING, type QueueItem, type QueueResponse } from '../../shared/office';
import { REFERENCE_PATTERN } from '../../shared/reference';
import { ApplicationStatus } from '../../shared/status';
import type { Database } from '../db/open';
import { accounts, applications } from '../db/schema';

/** What a reviewer waits on: received, or taken into review and not yet decided. */
const WAITING_STATUSES = [ApplicationStatus.received, ApplicationStatus.inReview];

export interface QueueAsk {
	/** A status, or WAITING. */
	status: string;
	service?: string;
	assigned?: 'me' | 'nobody';
	/** A reference or an applicant's IIN, already checked by `searchOf`. */
	search?: Search;
	after?: string;
}

export type Search = { kind: 'reference'; reference: string } | { kind: 'iin'; iin: string };

/** What `q` asks for: a reference (any case), or a valid IIN; undefined for anything else. */
export function searchOf(q: string): Search | undefined {
	const text = q.replace(/\s/g, '');
	if (REFERENCE_PATTERN.test(text.toUpperCase())) {
		return { kind: 'reference', reference: text.toUpperCase() };
	}
	if (isValidIin(text)) return { kind: 'iin', iin: text };
	return undefined;
}

/**
 * The applications of one region (staff of region `national`: those with none), as the
 * reviewer works them: oldest first, by the `(region, status, created_at, id)` index, a
 * page at a time by keyset (`after` the last one shown), so the hundredth page costs what
 * the first does. The counts are of the whole region, whatever the filter.
 */
export async function regionQueue(
	db: Database,
	reviewer: { accountId: string; region: string },
	ask: QueueAsk
): Promise<QueueResponse | 'invalid_cursor'> {
	const { region } = reviewer;
	const inRegion =
		region === NATIONAL_REGION ? isNull(applications.region) : eq(applications.region, region);
	const after = ask.after === undefined ? undefined : cursorOf(ask.after);
	if (after === null) return 'invalid_cursor';

	const where: (SQL | undefined)[] = [inRegion];
	if (ask.search) {
		// A search looks at every status: the person on the phone may ask about any of theirs.
		where.push(
			ask.search.kind === 'reference'
				? eq(applications.reference, ask.search.reference)
				: inArray(
						applications.ownerId,
						db
							.select({ ownerId: accounts.ownerId })
							.from(accounts)
							.where(eq(accounts.iin, ask.search.iin))
					)
		);
	} else {
		where.push(
			ask.status === WAITING
				? inArray(applications.status, WAITING_STATUSES)
				: eq(applications.status, ask.status as ApplicationStatus)
		);
		if (ask.service) where.push(eq(applications.serviceId, ask.service));
		if (ask.assigned === 'me') where.push(eq(applications.assignedTo, reviewer.accountId));
		if (ask.assigned === 'nobody') where.push(isNull(applications.assignedTo));
	}
	if (after) {
		const at = sql`timestamptz 'epoch' + ${after.micros} * interval '1 microsecond'`;
		where.push(
			or(
				sql`${applications.createdAt} > ${at}`,
				and(sql`${applications.createdAt} = ${at}`, gt(applications.id, after.id))
			)
		);
	}

	const [rows, statusCounts, serviceCounts] = await Promise.all([
		db
			.select({
				id: applications.id,
				reference: applications.reference,
				serviceId: applications.serviceId,
				serviceVersion: applications.serviceVersion,
				status: applications.status,
				version: applications.version,
				createdAt: applications.createdAt,
				updatedAt: applications.updatedAt,
				assigneeId: applications.assignedTo,
				assigneeName: accounts.name,
				micros: sql<string>`(extract(epoch from ${applications.createdAt}) * 1000000)::bigint::text`
			})
			.from(applications)
			.leftJoin(accounts, eq(accounts.id, applications.assignedTo))
			.where(and(...where))
			.orderBy(asc(applications.createdAt), asc(applications.id))
			.limit(QUEUE_PAGE_SIZE + 1),
		db
			.select({ status: applications.status, n: count() })
			.from(applications)
			.where(inRegion)
			.groupBy(applications.status),
		db
			.select({ serviceId: applications.serviceId, n: count() })
			.from(applications)
			.where(
				and(
					inRegion,
					ask.status === WAITING
						? inArray(applications.status, WAITING_STATUSES)
						: eq(applications.status, ask.status as ApplicationStatus)
				)
			)
			.groupBy(applications.serviceId)
	]);

	const page = rows.slice(0, QUEUE_PAGE_SIZE);
	const last = page.at(-1);
	return {
		byStatus: Object.fromEntries(statusCounts.map((row) => [row.status, row.n])),
		byService: Object.fromEntries(serviceCounts.map((row) => [row.serviceId, row.n])),
		items: page.map((row): QueueItem => ({
			id: row.id,
			reference: row.reference,
			serviceId: row.serviceId,
			serviceVersion: row.serviceVersion,
			status: row.status,
			version: row.version,
			receivedAt: row.createdAt.toISOString(),
			updatedAt: row.updatedAt.toISOString(),
			assignee: row.assigneeId ? { id: row.assigneeId, name: row.assigneeName } : null
		})),
		...(rows.length > QUEUE_PAGE_SIZE && last ? { next: cursorFor(last.micros, last.id) } : {})
	};
}

// PostgreSQL keeps the time to the microsecond and a Date to the millisecond: the cursor
// carries microseconds since the epoch, so a row received in the same millisecond as the
// last one shown is neither skipped nor shown twice.
function cursorFor(micros: string, id: string): string {
	return Buffer.from(`${micros}.${id}`).toString('base64url');
}

function cursorOf(text: string): { micros: string; id: string } | null {
	const match = /^(\d{1,17})\.([0-9a-f-]{36})$/.exec(Buffer.from(text, 'base64url').toString());
	return match ? { micros: match[1]!, id: match[2]! } : null;
}
