import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { addDays, todayInKazakhstan } from '../../shared/dates';
import { PushResponse } from '../../shared/protocol';
import { SERVICES } from '../../shared/services/catalog';
import { createCatalogue } from '../../sync-server/catalogue/catalogue';
import { backends } from './backends';
import {
	counts,
	newDevice,
	push,
	rawAnswers,
	storedApplication,
	submit,
	useSuite
} from './helpers';
import { GOOD_BIRTH, GOOD_IE_V2, GOOD_PERMIT, GOOD_TAX } from '../support/service-answers';

// This suite's catalogue has retired version 1 of the entrepreneur service, as a later
// release will: it is still known (its applications are shown) but takes no submission.
const catalogue = createCatalogue(
	SERVICES.map((s) =>
		s.id === 'individual-entrepreneur' && s.version === 1 ? { ...s, supported: false } : s
	)
);

const birth = () => ({ ...GOOD_BIRTH, childBirthDate: addDays(todayInKazakhstan(), -3) });

describe.each(backends)('services on $name', (backend) => {
	const suite = useSuite(backend, { catalogue });

	async function pushOne(m: ReturnType<typeof submit>) {
		const device = await newDevice(suite.app);
		const res = await push(suite.app, device, { mutations: [m] });
		expect(res.status).toBe(200);
		return v.parse(PushResponse, res.json).results[0]!;
	}

	it('receives an entrepreneur registration on version 2, its address in parts', async () => {
		const answers = { ...GOOD_IE_V2, startDate: todayInKazakhstan() };
		const m = submit({ serviceVersion: 2, answers: { ...answers, address: 'not in v2' } });
		expect(await pushOne(m)).toMatchObject({ status: 'applied' });
		expect(await storedApplication(suite.db, m.applicationId)).toMatchObject({
			serviceVersion: 2,
			answers
		});
	});

	it('receives a birth registration and stores its normalized answers', async () => {
		const m = submit({
			serviceId: 'birth-registration',
			serviceVersion: 1,
			answers: { ...birth(), phone: '8 701 234 56 78', 'birthPlace.settlement': '  Ақсу ' }
		});
		expect(await pushOne(m)).toMatchObject({ status: 'applied' });
		expect(await storedApplication(suite.db, m.applicationId)).toMatchObject({
			serviceId: 'birth-registration',
			status: 'received',
			answers: birth()
		});
	});

	it('refuses a birth in the future, and stores nothing', async () => {
		const before = await counts(suite.db);
		const m = submit({
			serviceId: 'birth-registration',
			serviceVersion: 1,
			answers: { ...birth(), childBirthDate: addDays(todayInKazakhstan(), 2) }
		});
		expect(await pushOne(m)).toEqual({
			mutationId: m.id,
			status: 'rejected',
			code: 'invalid_answers',
			fieldErrors: { childBirthDate: 'date_in_future' }
		});
		expect(await storedApplication(suite.db, m.applicationId)).toBeUndefined();
		expect((await counts(suite.db)).applications).toBe(before.applications);
	});

	it('receives a tax declaration whose figures are the server’s own', async () => {
		const m = submit({
			serviceId: 'simplified-tax-declaration',
			serviceVersion: 1,
			answers: { ...GOOD_TAX, income: '5 000 000,00' }
		});
		expect(await pushOne(m)).toMatchObject({ status: 'applied' });
		expect((await storedApplication(suite.db, m.applicationId))?.answers).toEqual(GOOD_TAX);
	});

	it('refuses a tax figure worked out from other rates, and stores nothing', async () => {
		const before = await counts(suite.db);
		// What an app with last year's 3% table would have sent.
		const m = submit({
			serviceId: 'simplified-tax-declaration',
			serviceVersion: 1,
			answers: { ...GOOD_TAX, incomeTax: '75000', socialTax: '15000', taxDue: '90000' }
		});
		expect(await pushOne(m)).toEqual({
			mutationId: m.id,
			status: 'rejected',
			code: 'invalid_answers',
			fieldErrors: {
				incomeTax: 'computed_mismatch',
				socialTax: 'computed_mismatch',
				taxDue: 'computed_mismatch'
			}
		});
		expect(await storedApplication(suite.db, m.applicationId)).toBeUndefined();
		expect((await counts(suite.db)).applications).toBe(before.applications);
	});

	it('checks a permit by the shared rules, then refuses photos that never arrived', async () => {
		const today = todayInKazakhstan();
		const dates = { startDate: addDays(today, 7), endDate: addDays(today, 180) };
		const base = { serviceId: 'trade-outlet-permit', serviceVersion: 1 };
		const late = submit({ ...base, answers: { ...GOOD_PERMIT, ...dates, endDate: today } });
		expect(await pushOne(late)).toMatchObject({ fieldErrors: { endDate: 'end_before_start' } });
		// Right answers, but this server has none of the photos (tests/server/permit.test.ts
		// uploads them).
		const m = submit({ ...base, answers: { ...GOOD_PERMIT, ...dates } });
		expect(await pushOne(m)).toEqual({
			mutationId: m.id,
			status: 'rejected',
			code: 'invalid_answers',
			fieldErrors: { idDocumentPhoto: 'file_missing', sitePhoto: 'file_missing' }
		});
		expect(await storedApplication(suite.db, m.applicationId)).toBeUndefined();
	});

	it('refuses a retired version and an unknown one, and stores nothing', async () => {
		const before = await counts(suite.db);
		const retired = submit({ serviceVersion: 1, answers: rawAnswers() });
		expect(await pushOne(retired)).toEqual({
			mutationId: retired.id,
			status: 'rejected',
			code: 'unsupported_service_version'
		});
		const unknown = submit({ serviceId: 'birth-registration', serviceVersion: 7 });
		expect(await pushOne(unknown)).toMatchObject({ code: 'unsupported_service_version' });
		expect(await storedApplication(suite.db, retired.applicationId)).toBeUndefined();
		expect((await counts(suite.db)).applications).toBe(before.applications);
	});
});
