/**
 * The reviewer's work queue, one application's page and its photos (sync-server/office/):
 * scoped to the reviewer's region (the national queue: applications with none), oldest
 * first, paged without skipping or repeating rows received in the same instant, searched
 * by reference or IIN; anyone else gets 403 for the queue and 404 for an application.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays, todayInKazakhstan } from '../../shared/dates';
import { OfficeApplication, QueueResponse, QUEUE_PAGE_SIZE } from '../../shared/office';
import { directoryStore } from '../../sync-server/files/store';
import { GOOD_PERMIT } from '../support/service-answers';
import { samplePhoto } from '../support/sample-photo';
import { backends } from './backends';
import {
	newDevice,
	newPerson,
	newReviewer,
	push,
	signedCall,
	signedRequest,
	submit,
	uploadWhole,
	useSuite,
	type Device
} from './helpers';

describe.each(backends)('the office queue on $name', (backend) => {
	const dir = join(tmpdir(), `dala-office-${randomUUID()}`);
	const suite = useSuite(backend, { uploads: directoryStore(dir) });
	afterAll(() => rm(dir, { recursive: true, force: true }));

	const queue = async (reviewer: Device, query = '') => {
		const res = await signedCall(suite.app, reviewer, `/api/office/applications${query}`);
		return res;
	};

	it('pages the national queue oldest first, none skipped or repeated in one instant', async () => {
		const reviewer = await newReviewer(suite.app, suite.db);
		const device = await newDevice(suite.app);
		// One push: every row is received in the same transaction, at the same instant.
		const many = Array.from({ length: QUEUE_PAGE_SIZE + 7 }, (_, i) => submit({ seq: i + 1 }));
		const pushed = await push(suite.app, device, { mutations: many });
		expect(pushed.status).toBe(200);

		const seen: string[] = [];
		let query = '';
		for (let page = 0; page < 10; page++) {
			const res = await queue(reviewer, query);
			expect(res.status, res.text).toBe(200);
			const body = v.parse(QueueResponse, res.json);
			seen.push(...body.items.map((item) => item.id));
			if (!body.next) break;
			query = `?after=${body.next}`;
		}
		const ours = seen.filter((id) => many.some((m) => m.applicationId === id));
		expect(ours.sort()).toEqual(many.map((m) => m.applicationId).sort());
		expect(new Set(seen).size).toBe(seen.length);
		const first = v.parse(QueueResponse, (await queue(reviewer)).json);
		expect(first.byStatus.received).toBeGreaterThanOrEqual(many.length);
		expect(first.byService['individual-entrepreneur']).toBeGreaterThanOrEqual(many.length);
		const ages = first.items.map((item) => item.receivedAt);
		expect([...ages].sort()).toEqual(ages);
	});

	it('finds by reference and by the applicant’s IIN, in any status; refuses other text', async () => {
		const reviewer = await newReviewer(suite.app, suite.db);
		const person = newPerson();
		const device = await newDevice(suite.app, person);
		const mine = [submit({ seq: 1 }), submit({ seq: 2 })];
		const res = await push(suite.app, device, { mutations: mine });
		const reference: string = res.json.results[0].application.reference;

		const byReference = v.parse(
			QueueResponse,
			(await queue(reviewer, `?q=${reference.toLowerCase()}`)).json
		);
		expect(byReference.items.map((item) => item.id)).toEqual([mine[0]!.applicationId]);
		const byIin = v.parse(QueueResponse, (await queue(reviewer, `?q=${person.iin}`)).json);
		expect(byIin.items.map((item) => item.id)).toEqual(mine.map((m) => m.applicationId));

		const refused = await queue(reviewer, '?q=Smith');
		expect(refused.status).toBe(400);
		expect(refused.json.error).toMatchObject({ code: 'invalid_query' });
		expect((await queue(reviewer, '?status=lost')).status).toBe(400);
		expect((await queue(reviewer, '?after=bm90IGEgY3Vyc29y')).json.error.code).toBe(
			'invalid_cursor'
		);
	});

	it('shows another region nothing: an empty queue, 404 for the application', async () => {
		const device = await newDevice(suite.app);
		const m = submit();
		await push(suite.app, device, { mutations: [m] });
		const astana = await newReviewer(suite.app, suite.db, 'astana');

		const list = v.parse(QueueResponse, (await queue(astana)).json);
		expect(list.items.map((item) => item.id)).not.toContain(m.applicationId);
		const page = await signedCall(suite.app, astana, `/api/office/applications/${m.applicationId}`);
		expect(page.status).toBe(404);
		// The owner is not staff: the office's page of their own application is not theirs.
		const own = await signedCall(suite.app, device, `/api/office/applications/${m.applicationId}`);
		expect(own.status).toBe(404);
		expect((await queue(device)).status).toBe(403);
	});

	it('shows the application with its answers and serves the photos its answers name', async () => {
		const device = await newDevice(suite.app);
		const idPhoto = samplePhoto(4000, 71);
		const id = await uploadWhole(suite.app, device, idPhoto);
		const site = await uploadWhole(suite.app, device, samplePhoto(4000, 72));
		const other = await uploadWhole(suite.app, device, samplePhoto(4000, 73));
		const today = todayInKazakhstan();
		const m = submit({
			serviceId: 'trade-outlet-permit',
			serviceVersion: 1,
			answers: {
				...GOOD_PERMIT,
				startDate: addDays(today, 7),
				endDate: addDays(today, 180),
				idDocumentPhoto: id,
				sitePhoto: site
			}
		});
		expect((await push(suite.app, device, { mutations: [m] })).json.results[0].status).toBe(
			'applied'
		);
		const reviewer = await newReviewer(suite.app, suite.db, 'turkistan');

		const res = await signedCall(
			suite.app,
			reviewer,
			`/api/office/applications/${m.applicationId}`
		);
		expect(res.status, res.text).toBe(200);
		const view = v.parse(OfficeApplication, res.json);
		expect(view).toMatchObject({ region: 'turkistan', status: 'received', version: 1 });
		expect(view.answers.idDocumentPhoto).toBe(id);
		expect(view.files.map((f) => [f.field, f.sha256])).toEqual([
			['idDocumentPhoto', id],
			['sitePhoto', site]
		]);

		const path = `/api/office/applications/${m.applicationId}/files/${id}`;
		const photo = await suite.app.request(path, await signedRequest(reviewer, 'GET', path));
		expect(photo.status).toBe(200);
		expect(photo.headers.get('Cache-Control')).toBe('private, no-store');
		expect(new Uint8Array(await photo.arrayBuffer())).toEqual(idPhoto);
		// A file of the same owner that this application does not name, and another region.
		const unnamed = `/api/office/applications/${m.applicationId}/files/${other}`;
		expect((await signedCall(suite.app, reviewer, unnamed)).status).toBe(404);
		const astana = await newReviewer(suite.app, suite.db, 'astana');
		expect((await signedCall(suite.app, astana, path)).status).toBe(404);

		// Asked for the ID photo again: the request and who asked are on the page.
		const asked = await signedCall(
			suite.app,
			reviewer,
			`/api/office/applications/${m.applicationId}/decision`,
			{
				status: 'more_information',
				fields: ['idDocumentPhoto'],
				message: 'Too dark.',
				baseVersion: 1
			}
		);
		expect(asked.status, asked.text).toBe(200);
		const after = v.parse(
			OfficeApplication,
			(await signedCall(suite.app, reviewer, `/api/office/applications/${m.applicationId}`)).json
		);
		expect(after).toMatchObject({
			status: 'more_information',
			version: 2,
			request: { fields: ['idDocumentPhoto'], message: 'Too dark.' }
		});
		expect(after.history.map((h) => [h.kind, h.fromStatus, h.toStatus, h.actor])).toEqual([
			['received', null, 'received', { role: 'citizen', name: null }],
			['decided', 'received', 'more_information', { role: 'reviewer', name: 'Test reviewer' }]
		]);
	});

	it('lets one of two reviewers claiming at once take it, and hands it over in the region', async () => {
		const device = await newDevice(suite.app);
		const m = submit();
		await push(suite.app, device, { mutations: [m] });
		const [first, second, colleague] = await Promise.all([
			newReviewer(suite.app, suite.db),
			newReviewer(suite.app, suite.db),
			newReviewer(suite.app, suite.db)
		]);
		const path = `/api/office/applications/${m.applicationId}/claim`;

		const answers = await Promise.all([
			signedCall(suite.app, first!, path, {}),
			signedCall(suite.app, second!, path, {})
		]);
		expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
		const winner = answers[0]!.status === 200 ? first! : second!;
		const loser = winner === first ? second! : first!;
		const lost = answers.find((a) => a.status === 409)!;
		expect(lost.json).toMatchObject({ status: 'taken', assignee: { name: 'Test reviewer' } });

		// Received → in review: a change the owner pulls; the queue says who works it.
		const view = v.parse(
			OfficeApplication,
			(await signedCall(suite.app, winner, `/api/office/applications/${m.applicationId}`)).json
		);
		expect(view).toMatchObject({ status: 'in_review', version: 2 });
		expect(view.history.map((h) => h.kind)).toEqual(['received', 'claimed']);
		const mine = v.parse(QueueResponse, (await queue(winner, '?assigned=me')).json);
		expect(mine.items.map((item) => item.id)).toEqual([m.applicationId]);

		// The loser cannot take it; the holder hands it to a colleague, not to another region.
		expect((await signedCall(suite.app, loser, path, {})).status).toBe(409);
		const astana = await newReviewer(suite.app, suite.db, 'astana');
		const elsewhere = await signedCall(suite.app, winner, path, { to: await accountOf(astana) });
		expect(elsewhere.status).toBe(400);
		// The colleagues offered are the region's reviewers, never another region's.
		const offered = (await signedCall(suite.app, winner, '/api/office/colleagues')).json.reviewers;
		const ids = offered.map((r: { id: string }) => r.id);
		expect(ids).toContain(await accountOf(colleague!));
		expect(ids).not.toContain(await accountOf(astana));
		const handed = await signedCall(suite.app, winner, path, { to: await accountOf(colleague!) });
		expect(handed.status, handed.text).toBe(200);
		const theirs = v.parse(QueueResponse, (await queue(colleague!, '?assigned=me')).json);
		expect(theirs.items.map((item) => item.id)).toEqual([m.applicationId]);
	});

	/** The account a reviewer's session belongs to. */
	async function accountOf(reviewer: Device): Promise<string> {
		return (await signedCall(suite.app, reviewer, '/api/accounts/me')).json.id;
	}
});
