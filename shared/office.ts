/**
 * The office API between the staff pages and the server (docs/office.md): a region's work
 * queue and one application as a reviewer sees it. Each answer has one valibot schema;
 * the server's answers satisfy it and the pages parse with it.
 */
import * as v from 'valibot';
import { APPLICATION_STATUSES } from './status';

/** How many applications a page of the queue holds. */
export const QUEUE_PAGE_SIZE = 50;

/** What the queue shows unless asked otherwise: what waits for a reviewer. */
export const WAITING = 'waiting';

/** GET /api/office/applications: `status` (a status, or `waiting`), `service`, `q`, `after`. */
export const QueueQuery = v.strictObject({
	status: v.optional(v.picklist([WAITING, ...APPLICATION_STATUSES]), WAITING),
	service: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,64}$/))),
	/** A reference (`DL-2026-000042`) or an applicant's IIN; any status. */
	q: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(32))),
	/** Opaque: the `next` of the page before. */
	after: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,128}$/)))
});
export type QueueQuery = v.InferInput<typeof QueueQuery>;

export const QueueItem = v.object({
	id: v.string(),
	reference: v.string(),
	serviceId: v.string(),
	serviceVersion: v.number(),
	status: v.string(),
	version: v.number(),
	/** ISO 8601: when the server received it, the age the queue is ordered by. */
	receivedAt: v.string(),
	updatedAt: v.string()
});
export type QueueItem = v.InferOutput<typeof QueueItem>;

export const QueueResponse = v.object({
	/** The region's applications by status, whatever the filter: the tabs' counts. */
	byStatus: v.record(v.string(), v.number()),
	/** The region's applications of the status asked for, by service. */
	byService: v.record(v.string(), v.number()),
	/** Oldest first. */
	items: v.array(QueueItem),
	/** Send as `after` for the next page; absent on the last. */
	next: v.optional(v.string())
});
export type QueueResponse = v.InferOutput<typeof QueueResponse>;

/** A file an answer names, as the office serves it (`…/files/:sha256`). */
export const OfficeFile = v.object({
	field: v.string(),
	sha256: v.string(),
	type: v.string(),
	size: v.number()
});

/** GET /api/office/applications/:id: one application as a reviewer works it. */
export const OfficeApplication = v.object({
	...QueueItem.entries,
	/** A REGIONS code, or null: the national queue. */
	region: v.nullable(v.string()),
	/** As the server holds them (normalized by the service definition). */
	answers: v.record(v.string(), v.string()),
	/** The reviewer's words to the person, when rejected. */
	reason: v.nullable(v.string()),
	files: v.array(OfficeFile)
});
export type OfficeApplication = v.InferOutput<typeof OfficeApplication>;
