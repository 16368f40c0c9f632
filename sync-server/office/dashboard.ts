import { and, asc, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { NATIONAL_REGION } from '../../shared/accounts';
import { todayInKazakhstan } from '../../shared/dates';
import {
	DASHBOARD_WAITING,
	type DashboardResponse,
	type DashboardWindow
} from '../../shared/office';
import { currentServices } from '../../shared/services/catalog';
import { ApplicationStatus } from '../../shared/status';
import type { Database } from '../db/open';
import { applicationHistory, applications, HistoryKind } from '../db/schema';

/** Kazakhstan keeps UTC+5 all year (shared/dates.ts). */
const KAZAKHSTAN_OFFSET_MS = 5 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Midnight in Kazakhstan today, and on the Monday of this week, as instants. */
export function dashboardWindows(now: Date): { today: Date; week: Date } {
	const day = todayInKazakhstan(now);
	const today = new Date(Date.parse(`${day}T00:00:00Z`) - KAZAKHSTAN_OFFSET_MS);
	// getUTCDay of the date itself: 0 is Sunday, and a week here starts on Monday.
	const sinceMonday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
	return { today, week: new Date(today.getTime() - sinceMonday * DAY_MS) };
}

const WAITING_STATUSES = [
	ApplicationStatus.received,
	ApplicationStatus.inReview,
	ApplicationStatus.moreInformation
];
const DECIDED_STATUSES = [ApplicationStatus.approved, ApplicationStatus.rejected];

/**
 * A region's day and week: per service, what was received and decided, and how long the
 * decided ones took from receipt (the `received` history row) to approval or rejection.
 * Approved and rejected are final (shared/status.ts), so an application has at most one
 * such row and it is the first. A median and a p90 are `percentile_disc`: a time some
 * application really took, not one between two. Staff of region `national` see the
 * applications with none.
 */
export async function regionDashboard(
	db: Database,
	region: string,
	now: Date = new Date()
): Promise<DashboardResponse> {
	const { today, week } = dashboardWindows(now);
	const inRegion =
		region === NATIONAL_REGION ? isNull(applications.region) : eq(applications.region, region);
	const received = alias(applicationHistory, 'received');
	const decided = alias(applicationHistory, 'decided');
	const tookMs = sql`extract(epoch from ${decided.at} - ${received.at}) * 1000`;
	const isToday = sql`${decided.at} >= ${today.toISOString()}::timestamptz`;
	const ms = (fraction: number, filter = sql`true`) =>
		sql<
			number | null
		>`percentile_disc(${sql.raw(String(fraction))}) within group (order by ${tookMs}) filter (where ${filter})`.mapWith(
			(value) => (value === null ? null : Math.round(Number(value)))
		);

	const [decisions, receipts, waiting] = await Promise.all([
		db
			.select({
				serviceId: applications.serviceId,
				today: sql<number>`count(*) filter (where ${isToday})`.mapWith(Number),
				todayMedian: ms(0.5, isToday),
				todayP90: ms(0.9, isToday),
				week: sql<number>`count(*)`.mapWith(Number),
				weekMedian: ms(0.5),
				weekP90: ms(0.9)
			})
			.from(decided)
			.innerJoin(applications, eq(applications.id, decided.applicationId))
			.innerJoin(
				received,
				and(
					eq(received.applicationId, decided.applicationId),
					eq(received.kind, HistoryKind.received)
				)
			)
			.where(
				and(
					inRegion,
					eq(decided.kind, HistoryKind.decided),
					inArray(decided.toStatus, DECIDED_STATUSES),
					gte(decided.at, week)
				)
			)
			.groupBy(applications.serviceId),
		db
			.select({
				serviceId: applications.serviceId,
				today:
					sql<number>`count(*) filter (where ${received.at} >= ${today.toISOString()}::timestamptz)`.mapWith(
						Number
					),
				week: sql<number>`count(*)`.mapWith(Number)
			})
			.from(received)
			.innerJoin(applications, eq(applications.id, received.applicationId))
			.where(and(inRegion, eq(received.kind, HistoryKind.received), gte(received.at, week)))
			.groupBy(applications.serviceId),
		db
			.select({
				id: applications.id,
				reference: applications.reference,
				serviceId: applications.serviceId,
				status: applications.status,
				createdAt: applications.createdAt
			})
			.from(applications)
			.where(and(inRegion, inArray(applications.status, WAITING_STATUSES)))
			.orderBy(asc(applications.createdAt), asc(applications.id))
			.limit(DASHBOARD_WAITING)
	]);

	const serviceIds = [
		...new Set([
			...currentServices().map((s) => s.id),
			...decisions.map((d) => d.serviceId),
			...receipts.map((r) => r.serviceId)
		])
	];
	const window = (
		got: number | undefined,
		count: number | undefined,
		medianMs: number | null | undefined,
		p90Ms: number | null | undefined
	): DashboardWindow => ({
		received: got ?? 0,
		decided: count ?? 0,
		medianMs: medianMs ?? null,
		p90Ms: p90Ms ?? null
	});
	return {
		region,
		todayFrom: today.toISOString(),
		weekFrom: week.toISOString(),
		services: serviceIds.map((serviceId) => {
			const d = decisions.find((row) => row.serviceId === serviceId);
			const r = receipts.find((row) => row.serviceId === serviceId);
			return {
				serviceId,
				today: window(r?.today, d?.today, d?.todayMedian, d?.todayP90),
				week: window(r?.week, d?.week, d?.weekMedian, d?.weekP90)
			};
		}),
		waiting: waiting.map((row) => ({
			id: row.id,
			reference: row.reference,
			serviceId: row.serviceId,
			status: row.status,
			receivedAt: row.createdAt.toISOString()
		}))
	};
}
