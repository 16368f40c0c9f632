/**
 * The region's dashboard (sync-server/office/dashboard.ts): received → decided times per
 * service, today and this week in Kazakhstan time, and what has waited longest; scoped to
 * the caller's region, for its reviewers and officers alone.
 */
import { sql } from 'drizzle-orm';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DashboardResponse } from '../../shared/office';
import { createStaff } from '../../sync-server/accounts/staff';
import { openSession } from '../../sync-server/accounts/sessions';
import { dashboardWindows, regionDashboard } from '../../sync-server/office/dashboard';
import { backends } from './backends';
import {
	anonymousDevice,
	newDevice,
	newReviewer,
	push,
	review,
	signedCall,
	submit,
	useSuite,
	type Device
} from './helpers';

const HOUR = 60 * 60 * 1000;

describe('the dashboard’s windows', () => {
	it('start at midnight in Kazakhstan, today and on Monday', () => {
		// Wednesday 9 December 2026, 12:00 in Kazakhstan.
		expect(dashboardWindows(new Date('2026-12-09T07:00:00Z'))).toEqual({
			today: new Date('2026-12-08T19:00:00Z'),
			week: new Date('2026-12-06T19:00:00Z')
		});
		// Monday 00:30 in Kazakhstan is still Sunday in UTC: the week is the new one.
		expect(dashboardWindows(new Date('2026-12-06T19:30:00Z')).week).toEqual(
			new Date('2026-12-06T19:00:00Z')
		);
		// Sunday 23:30 in Kazakhstan: the week began six days before.
		expect(dashboardWindows(new Date('2026-12-13T18:30:00Z')).week).toEqual(
			new Date('2026-12-06T19:00:00Z')
		);
	});
});

describe.each(backends)('the office dashboard on $name', (backend) => {
	const suite = useSuite(backend);

	/** Submits one national application; its id. */
	let seq = 0;
	const applied = async (device: Device) => {
		const m = submit({ seq: ++seq });
		const res = await push(suite.app, device, { mutations: [m] });
		expect(res.json.results[0].status).toBe('applied');
		return m.applicationId;
	};
	/** Sets when it was received (and created) and, if decided, when. */
	const at = async (id: string, receivedAt: string, decidedAt?: string) => {
		await suite.db.execute(
			sql`update applications set created_at = ${receivedAt}::timestamptz where id = ${id}`
		);
		await suite.db.execute(
			sql`update application_history set at = ${receivedAt}::timestamptz
				where application_id = ${id} and kind = 'received'`
		);
		if (decidedAt) {
			await suite.db.execute(
				sql`update application_history set at = ${decidedAt}::timestamptz
					where application_id = ${id} and kind = 'decided'`
			);
		}
	};

	it('times received → decided per service, today and this week, and lists the oldest waiting', async () => {
		const device = await newDevice(suite.app);
		const [a, b, c, d, e] = [
			await applied(device),
			await applied(device),
			await applied(device),
			await applied(device),
			await applied(device)
		];
		await review(suite.db, a!, 'approved');
		await review(suite.db, b!, 'rejected', 'Not this district.');
		await review(suite.db, c!, 'approved');
		await review(suite.db, d!, 'in_review');
		// Now: Wednesday 9 December 2026, 12:00 in Kazakhstan (07:00 UTC).
		await at(a!, '2026-12-09T03:00:00Z', '2026-12-09T05:00:00Z'); // today, 2 h
		await at(b!, '2026-12-07T04:00:00Z', '2026-12-09T06:00:00Z'); // Monday → today, 50 h
		await at(c!, '2026-12-01T10:00:00Z', '2026-12-07T10:00:00Z'); // last week → Monday, 144 h
		await at(d!, '2026-12-09T04:00:00Z'); // today, waiting
		await at(e!, '2026-11-29T04:00:00Z'); // ten days ago, waiting

		const summary = await regionDashboard(suite.db, 'national', new Date('2026-12-09T07:00:00Z'));
		expect(v.is(DashboardResponse, summary)).toBe(true);
		const ie = summary.services.find((s) => s.serviceId === 'individual-entrepreneur');
		expect(ie).toEqual({
			serviceId: 'individual-entrepreneur',
			today: { received: 2, decided: 2, medianMs: 2 * HOUR, p90Ms: 50 * HOUR },
			week: { received: 3, decided: 3, medianMs: 50 * HOUR, p90Ms: 144 * HOUR }
		});
		// Every current service has a row, quiet ones too.
		expect(summary.services.find((s) => s.serviceId === 'birth-registration')).toEqual({
			serviceId: 'birth-registration',
			today: { received: 0, decided: 0, medianMs: null, p90Ms: null },
			week: { received: 0, decided: 0, medianMs: null, p90Ms: null }
		});
		expect(summary.waiting.map((w) => [w.id, w.status, w.receivedAt])).toEqual([
			[e, 'received', '2026-11-29T04:00:00.000Z'],
			[d, 'in_review', '2026-12-09T04:00:00.000Z']
		]);
		expect(summary.todayFrom).toBe('2026-12-08T19:00:00.000Z');
	});

	it('serves the caller’s region to its reviewers and officers, nothing of another, 403 to others', async () => {
		const device = await newDevice(suite.app);
		const id = await applied(device);
		await review(suite.db, id, 'approved');
		const waiting = await applied(device);

		const national = await signedCall(
			suite.app,
			await newReviewer(suite.app, suite.db),
			'/api/office/dashboard'
		);
		expect(national.status, national.text).toBe(200);
		const mine = v.parse(DashboardResponse, national.json);
		expect(mine.region).toBe('national');
		const ie = mine.services.find((s) => s.serviceId === 'individual-entrepreneur')!;
		expect(ie.today.decided + ie.week.decided).toBeGreaterThanOrEqual(1);
		expect(mine.waiting.map((w) => w.id)).toContain(waiting);

		const astana = await signedCall(
			suite.app,
			await newReviewer(suite.app, suite.db, 'astana'),
			'/api/office/dashboard'
		);
		const theirs = v.parse(DashboardResponse, astana.json);
		expect(theirs.region).toBe('astana');
		expect(theirs.waiting).toEqual([]);
		for (const service of theirs.services) {
			expect([service.today.received, service.week.decided]).toEqual([0, 0]);
		}

		const staff = async (role: 'officer' | 'administrator') => {
			const signer = await anonymousDevice(suite.app);
			const { accountId } = await createStaff(suite.db, {
				role,
				region: 'national',
				name: `Dashboard ${role}`
			});
			const { accessToken } = await suite.db.transaction((tx) =>
				openSession(tx, accountId, signer.id)
			);
			return { ...signer, accessToken };
		};
		const officer = await signedCall(suite.app, await staff('officer'), '/api/office/dashboard');
		expect(officer.status, officer.text).toBe(200);
		const admin = await signedCall(
			suite.app,
			await staff('administrator'),
			'/api/office/dashboard'
		);
		expect(admin.status).toBe(403);
		expect(admin.json.error.code).toBe('forbidden');
		expect((await signedCall(suite.app, device, '/api/office/dashboard')).status).toBe(403);
	});
});
