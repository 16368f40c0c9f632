/**
 * Every application has the region its answers name (shared/services/region.ts), set by
 * the server at receipt and at every amend, and only that region's reviewers decide it; an
 * application with no region is in the national queue, which reviewers of region
 * `national` decide, and only that. The back-fill of older rows is in migrations.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInKazakhstan } from '../../shared/dates';
import { openSession } from '../../sync-server/accounts/sessions';
import { createStaff } from '../../sync-server/accounts/staff';
import { directoryStore } from '../../sync-server/files/store';
import { samplePhoto } from '../support/sample-photo';
import { GOOD_BIRTH, GOOD_IE_V2, GOOD_PERMIT, GOOD_TAX } from '../support/service-answers';
import { backends } from './backends';
import {
	amend,
	answer,
	newDevice,
	push,
	signedRequest,
	storedApplication,
	submit,
	useSuite,
	uploadWhole
} from './helpers';

const today = todayInKazakhstan();
const birth = (region: string) =>
	submit({
		serviceId: 'birth-registration',
		serviceVersion: 1,
		answers: { ...GOOD_BIRTH, childBirthDate: addDays(today, -3), 'birthPlace.region': region }
	});

describe.each(backends)('regions on $name', (backend) => {
	const dir = join(tmpdir(), `dala-regions-${randomUUID()}`);
	const suite = useSuite(backend, { uploads: directoryStore(dir) });
	afterAll(() => rm(dir, { recursive: true, force: true }));

	/** Pushes each mutation from a fresh device, and answers the application ids. */
	async function pushed(...mutations: ReturnType<typeof submit>[]): Promise<string[]> {
		const device = await newDevice(suite.app);
		const res = await push(suite.app, device, {
			mutations: mutations.map((m, i) => ({ ...m, seq: i + 1 }))
		});
		expect(res.status, res.text).toBe(200);
		for (const result of res.json.results) expect(result.status, res.text).toBe('applied');
		return mutations.map((m) => m.applicationId);
	}
	const regionOfRow = async (id: string) => (await storedApplication(suite.db, id))?.region;

	it("stores at receipt the region each service's answer names, or none", async () => {
		const device = await newDevice(suite.app);
		const idPhoto = await uploadWhole(suite.app, device, samplePhoto(4000, 21));
		const sitePhoto = await uploadWhole(suite.app, device, samplePhoto(4000, 22));
		const permit = submit({
			seq: 1,
			serviceId: 'trade-outlet-permit',
			serviceVersion: 1,
			answers: {
				...GOOD_PERMIT,
				'siteAddress.region': 'almaty',
				startDate: addDays(today, 7),
				endDate: addDays(today, 180),
				idDocumentPhoto: idPhoto,
				sitePhoto
			}
		});
		const res = await push(suite.app, device, { mutations: [permit] });
		expect(res.json.results?.[0]?.status, res.text).toBe('applied');
		expect(await regionOfRow(permit.applicationId)).toBe('almaty');

		const [born, entrepreneur, tax, freeText] = await pushed(
			birth('turkistan'),
			submit({
				serviceVersion: 2,
				answers: { ...GOOD_IE_V2, startDate: today, 'businessAddress.region': 'astana' }
			}),
			submit({ serviceId: 'simplified-tax-declaration', serviceVersion: 1, answers: GOOD_TAX }),
			// Version 1's address is free text: naming a region in words routes nowhere.
			submit()
		);
		expect(await regionOfRow(born!)).toBe('turkistan');
		expect(await regionOfRow(entrepreneur!)).toBe('astana');
		expect(await regionOfRow(tax!)).toBeNull();
		expect(await regionOfRow(freeText!)).toBeNull();
	});

	it('moves an application to another region when an amend changes its address', async () => {
		const device = await newDevice(suite.app);
		const m = birth('turkistan');
		await push(suite.app, device, { mutations: [m] });
		expect(await regionOfRow(m.applicationId)).toBe('turkistan');
		const res = await push(suite.app, device, {
			mutations: [
				amend(m.applicationId, 1, {
					seq: 2,
					answers: { ...m.answers, 'birthPlace.region': 'pavlodar' }
				})
			]
		});
		expect(res.json.results?.[0]?.status, res.text).toBe('applied');
		expect(await regionOfRow(m.applicationId)).toBe('pavlodar');
	});

	describe('decisions through /api/office', () => {
		/** A reviewer of `region` with a session on a device of their own. */
		async function reviewer(region: string) {
			const device = await newDevice(suite.app);
			const staff = await createStaff(suite.db, { role: 'reviewer', region, name: region });
			// The session a sign-in opens (accounts.test.ts signs in through the routes).
			const session = await suite.db.transaction((tx) =>
				openSession(tx, staff.accountId, device.id)
			);
			/** POSTs a decision taking application `id` into review; answers the status. */
			return async (id: string) => {
				const path = `/api/office/applications/${id}/decision`;
				const init = await signedRequest(
					device,
					'POST',
					path,
					{ status: 'in_review', baseVersion: 1 },
					{ headers: (h) => ({ ...h, Authorization: `Bearer ${session.accessToken}` }) }
				);
				const res = await answer(suite.app.request(path, init));
				return res.status;
			};
		}

		let turkistan: (id: string) => Promise<number>;
		let almaty: (id: string) => Promise<number>;
		let national: (id: string) => Promise<number>;
		beforeAll(async () => {
			turkistan = await reviewer('turkistan');
			almaty = await reviewer('almaty');
			national = await reviewer('national');
		});

		it("lets only the region's reviewers decide a regional application", async () => {
			const [id] = await pushed(birth('turkistan'));
			// Answered like a missing application: another region learns nothing of it.
			expect(await almaty(id!)).toBe(404);
			expect(await national(id!)).toBe(404);
			expect(await turkistan(id!)).toBe(200);
			expect((await storedApplication(suite.db, id!))?.status).toBe('in_review');
		});

		it('lets only national reviewers decide an application with no region', async () => {
			const [entrepreneur, tax] = await pushed(
				submit(),
				submit({ serviceId: 'simplified-tax-declaration', serviceVersion: 1, answers: GOOD_TAX })
			);
			expect(await turkistan(entrepreneur!)).toBe(404);
			expect(await almaty(tax!)).toBe(404);
			expect(await national(entrepreneur!)).toBe(200);
			// Accepted by rule on arrival (automatic-rules.ts): closed, which only someone who
			// may decide it is told; anyone else gets the 404 above.
			expect(await national(tax!)).toBe(409);
		});
	});
});
