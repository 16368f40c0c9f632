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
	});
});
