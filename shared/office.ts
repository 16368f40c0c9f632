/**
 * The office API between the staff pages and the server (docs/office.md): a region's work
 * queue and one application as a reviewer sees it. Each answer has one valibot schema;
 * the server's answers satisfy it and the pages parse with it.
 */
import * as v from 'valibot';
import { APPLICATION_STATUSES } from './status';
import { cannotBeStored, hasForbiddenCharacter } from './text';

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
	/** `me`: only what the caller works on; `nobody`: only what nobody has taken. */
	assigned: v.optional(v.picklist(['me', 'nobody'])),
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
	updatedAt: v.string(),
	/** The reviewer working it; null while nobody has taken it. */
	assignee: v.nullable(v.object({ id: v.string(), name: v.nullable(v.string()) }))
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

/** One change of an application, as the office shows its history. */
export const HistoryEntry = v.object({
	kind: v.string(),
	fromStatus: v.nullable(v.string()),
	toStatus: v.string(),
	/** Who: staff by name; the applicant's own changes have `role: 'citizen'` and no name. */
	actor: v.nullable(v.object({ role: v.string(), name: v.nullable(v.string()) })),
	at: v.string()
});
export type HistoryEntry = v.InferOutput<typeof HistoryEntry>;

/** A reviewer's note on an application, for colleagues only. */
export const Note = v.object({ author: v.nullable(v.string()), text: v.string(), at: v.string() });
export type Note = v.InferOutput<typeof Note>;

/**
 * The most characters of a reviewer's words to the applicant (a rejection's reason, a
 * request's message, why a document was revoked): a paragraph, read on a phone.
 */
export const MAX_REASON_LENGTH = 1000;

/** The most characters of a note: a few paragraphs. */
export const MAX_NOTE_LENGTH = 2000;

/** POST /api/office/applications/:id/notes. */
export const NoteRequest = v.strictObject({
	text: v.pipe(
		v.string(),
		v.check((text) => !cannotBeStored(text), 'contains characters that cannot be stored'),
		v.trim(),
		v.check(
			(text) => !hasForbiddenCharacter(text, { multiline: true }),
			'contains a control or text-direction character'
		),
		v.minLength(1, 'a note needs some words'),
		v.maxLength(MAX_NOTE_LENGTH, `at most ${MAX_NOTE_LENGTH} characters`)
	)
});

/** GET /api/office/applications/:id: one application as a reviewer works it. */
export const OfficeApplication = v.object({
	...QueueItem.entries,
	/** A REGIONS code, or null: the national queue. */
	region: v.nullable(v.string()),
	/** As the server holds them (normalized by the service definition). */
	answers: v.record(v.string(), v.string()),
	/**
	 * Why the service's rule left it to a person (shared/services/automatic-rules.ts
	 * `ReviewReason`); null when no rule ran. Any text: a newer server may add reasons.
	 */
	reviewReason: v.nullable(v.string()),
	/** Why it was rejected: a code of its service's list, and the reviewer's own words. */
	reasonCode: v.nullable(v.string()),
	reason: v.nullable(v.string()),
	/** While more information is asked for: which answers, and the message. */
	request: v.nullable(v.object({ fields: v.array(v.string()), message: v.string() })),
	files: v.array(OfficeFile),
	/** Every change, oldest first: what happened, from and to which status, who, when. */
	history: v.array(HistoryEntry),
	/** Reviewers' notes for each other, oldest first; never shown to the applicant. */
	notes: v.array(Note),
	/**
	 * The document its approval issued: its serial (the number `DLD-…`), when, and whether an
	 * office revoked it since (when, and why). Null when none was issued.
	 */
	document: v.nullable(
		v.object({
			serial: v.number(),
			issuedAt: v.string(),
			revoked: v.nullable(v.object({ at: v.string(), reason: v.string() }))
		})
	)
});
export type OfficeApplication = v.InferOutput<typeof OfficeApplication>;

/** POST /api/office/applications/:id/claim: take it (no `to`), or hand it to a colleague. */
export const ClaimRequest = v.strictObject({ to: v.optional(v.pipe(v.string(), v.uuid())) });
export const ClaimResponse = v.object({
	status: v.literal('claimed'),
	assignee: v.object({ id: v.string(), name: v.nullable(v.string()) }),
	applicationStatus: v.string()
});
export type ClaimResponse = v.InferOutput<typeof ClaimResponse>;

/** GET /api/office/colleagues: the reviewers of the caller's region, to hand work to. */
export const Colleagues = v.object({
	reviewers: v.array(v.object({ id: v.string(), name: v.nullable(v.string()) }))
});
export type Colleagues = v.InferOutput<typeof Colleagues>;

/** Received and decided in one window, and how long the decided ones took (milliseconds). */
export const DashboardWindow = v.object({
	/** Applications received in the window. */
	received: v.number(),
	/** Applications approved or rejected in the window, whenever they were received. */
	decided: v.number(),
	/** Received → approved or rejected, of those decided in the window; null when none were. */
	medianMs: v.nullable(v.number()),
	p90Ms: v.nullable(v.number())
});
export type DashboardWindow = v.InferOutput<typeof DashboardWindow>;

/** GET /api/office/dashboard: the caller's region, by service, today and this week. */
export const DashboardResponse = v.object({
	/** The region summed up: a REGIONS code, or `national` (applications with none). */
	region: v.string(),
	/** ISO 8601: midnight in Kazakhstan today, and on this week's Monday. */
	todayFrom: v.string(),
	weekFrom: v.string(),
	/** Every current service, in the catalogue's order, whether or not anything happened. */
	services: v.array(
		v.object({ serviceId: v.string(), today: DashboardWindow, week: DashboardWindow })
	),
	/** What has waited longest for a reviewer (received, in review, more information): oldest first. */
	waiting: v.array(
		v.object({
			id: v.string(),
			reference: v.string(),
			serviceId: v.string(),
			status: v.string(),
			receivedAt: v.string()
		})
	)
});
export type DashboardResponse = v.InferOutput<typeof DashboardResponse>;

/** How many of the longest-waiting applications the dashboard lists. */
export const DASHBOARD_WAITING = 10;
