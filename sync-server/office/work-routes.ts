import { and, asc, eq, isNull } from 'drizzle-orm';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import * as v from 'valibot';
import { ErrorCode } from '../../shared/errors';
import {
	ClaimRequest,
	NoteRequest,
	QueueQuery,
	type ClaimResponse,
	type Colleagues,
	type DashboardResponse,
	type OfficeApplication,
	type QueueResponse
} from '../../shared/office';
import { Uuid7 } from '../../shared/protocol';
import { Sha256 } from '../../shared/files';
import { can, type Actor } from '../accounts/policy';
import type { SessionVariables } from '../accounts/sessions';
import type { Catalogue } from '../catalogue/catalogue';
import type { Database } from '../db/open';
import { accounts, applicationNotes, files } from '../db/schema';
import type { UploadStore } from '../files/store';
import { httpError, issuesOf } from '../http/errors';
import { applicationRecord, namedFiles, officeView } from './application-view';
import { readJsonBody } from '../http/request-body';
import { claim } from './claim';
import { regionDashboard } from './dashboard';
import { regionQueue, searchOf } from './queue';

// A claim names at most a colleague.
const CLAIM_BODY_BYTES = 1024;
// A note is a few paragraphs: 2,000 characters of Cyrillic, escaped, with room to spare.
const NOTE_BODY_BYTES = 16_384;

const notFound = () => httpError(404, ErrorCode.notFound, 'No such application.');

/**
 * What a reviewer works from (mounted in routes.ts, behind its session check): the
 * region's queue, one application with its answers, and the photos its answers name. An
 * application the caller may not read is answered 404, like one that does not exist.
 */
export function workRoutes(db: Database, catalogue: Catalogue, uploads: UploadStore | undefined) {
	/** The application `id`, if the actor may read it; 404 otherwise, whichever the reason. */
	async function readable(actor: Actor, id: string) {
		if (!v.is(Uuid7, id)) throw notFound();
		const row = await applicationRecord(db, id);
		if (
			!row ||
			actor.role === 'citizen' ||
			!can(actor, 'application.read', { kind: 'application', subjectIin: null, ...row })
		) {
			throw notFound();
		}
		return row;
	}

	return new Hono<{ Variables: SessionVariables }>()
		.get('/applications', async (c) => {
			const { actor } = c.var;
			// Working a queue is reading its applications: reviewers of the region alone.
			if (
				actor.role !== 'reviewer' ||
				actor.region === null ||
				!can(actor, 'region.summary', { kind: 'region', region: actor.region })
			) {
				throw httpError(403, ErrorCode.forbidden, 'This account has no queue.');
			}
			const parsed = v.safeParse(QueueQuery, c.req.query());
			if (!parsed.success) {
				throw httpError(
					400,
					ErrorCode.invalidQuery,
					'The query is not valid.',
					issuesOf(parsed.issues)
				);
			}
			const { q, ...ask } = parsed.output;
			const search = q === undefined ? undefined : searchOf(q);
			if (q !== undefined && !search) {
				throw httpError(400, ErrorCode.invalidQuery, 'Search by a reference or an IIN.', {
					q: 'a reference such as DL-2026-000042, or a 12-digit IIN'
				});
			}
			const queue = await regionQueue(
				db,
				{ accountId: actor.accountId, region: actor.region },
				{ ...ask, search }
			);
			if (queue === 'invalid_cursor') {
				throw httpError(400, ErrorCode.invalidCursor, 'Start from the first page again.');
			}
			return c.json(queue satisfies QueueResponse);
		})
		.get('/colleagues', async (c) => {
			const { actor } = c.var;
			if (actor.role !== 'reviewer' || actor.region === null) {
				throw httpError(403, ErrorCode.forbidden, 'This account has no queue.');
			}
			const reviewers = await db
				.select({ id: accounts.id, name: accounts.name })
				.from(accounts)
				.where(
					and(
						eq(accounts.role, 'reviewer'),
						eq(accounts.region, actor.region),
						isNull(accounts.disabledAt)
					)
				)
				.orderBy(asc(accounts.name));
			return c.json({ reviewers } satisfies Colleagues);
		})
		.get('/dashboard', async (c) => {
			const { actor } = c.var;
			// Times and counts of the caller's region, no answers: its reviewers and officers.
			if (
				actor.region === null ||
				actor.role === 'citizen' ||
				!can(actor, 'region.summary', { kind: 'region', region: actor.region })
			) {
				throw httpError(403, ErrorCode.forbidden, 'This account has no region to sum up.');
			}
			return c.json((await regionDashboard(db, actor.region)) satisfies DashboardResponse);
		})
		.get('/applications/:id', async (c) => {
			const row = await readable(c.var.actor, c.req.param('id'));
			return c.json((await officeView(db, catalogue, row)) satisfies OfficeApplication);
		})
		.post('/applications/:id/claim', async (c) => {
			const { actor } = c.var;
			const row = await readable(actor, c.req.param('id'));
			const { to } = await readJsonBody(c.req.raw, ClaimRequest, 'claim', {
				limit: CLAIM_BODY_BYTES,
				raw: c.var.rawBody
			});
			if (!can(actor, 'application.decide', { kind: 'application', subjectIin: null, ...row })) {
				throw notFound();
			}
			const outcome = await claim(db, row.id, actor, to);
			if (outcome.status === 'not_found') throw notFound();
			if (outcome.status === 'invalid') {
				throw httpError(400, ErrorCode.invalidBody, 'Hand it only to a reviewer of your region.', {
					to: 'not a reviewer of this region'
				});
			}
			if (outcome.status === 'claimed') return c.json(outcome satisfies ClaimResponse);
			return c.json(outcome, 409);
		})
		.post('/applications/:id/notes', async (c) => {
			const { actor } = c.var;
			const row = await readable(actor, c.req.param('id'));
			// Notes are the deciders' own: whoever may decide the application may write them.
			if (!can(actor, 'application.decide', { kind: 'application', subjectIin: null, ...row })) {
				throw notFound();
			}
			const { text } = await readJsonBody(c.req.raw, NoteRequest, 'note', {
				limit: NOTE_BODY_BYTES,
				raw: c.var.rawBody
			});
			const [note] = await db
				.insert(applicationNotes)
				.values({ applicationId: row.id, author: actor.accountId, text })
				.returning({ at: applicationNotes.at });
			return c.json({ text, at: note!.at.toISOString() }, 201);
		})
		.get('/applications/:id/files/:sha256', async (c) => {
			const row = await readable(c.var.actor, c.req.param('id'));
			const sha256 = c.req.param('sha256');
			const noFile = () => httpError(404, ErrorCode.notFound, 'No such file of this application.');
			// Only a file the application's answers name: not any file its owner ever sent.
			if (!v.is(Sha256, sha256) || !namedFiles(catalogue, row).some((f) => f.sha256 === sha256)) {
				throw noFile();
			}
			const [file] = await db
				.select({ storageKey: files.storageKey, type: files.type, size: files.size })
				.from(files)
				.where(and(eq(files.ownerId, row.ownerId), eq(files.sha256, sha256)));
			if (!file || !uploads) throw noFile();
			const bytes = await uploads.read(file.storageKey);
			c.header('Content-Type', file.type);
			c.header('Content-Length', String(file.size));
			// A person's documents, on a computer others may use: never kept by the browser.
			c.header('Cache-Control', 'private, no-store');
			return stream(c, async (out) => {
				for await (const chunk of bytes) await out.write(chunk as Uint8Array);
			});
		});
}
