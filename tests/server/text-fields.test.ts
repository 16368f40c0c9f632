/**
 * The server refuses what the form refuses (shared/text.ts): a control or text-direction
 * character in a text answer is a refusal of that mutation with a field error, recorded,
 * and nothing of it stored; the same rule on a submit and on a correction.
 */
import { describe, expect, it } from 'vitest';
import { backends } from './backends';
import {
	amend,
	counts,
	newDevice,
	push,
	rawAnswers,
	storedApplication,
	submit,
	useSuite
} from './helpers';

describe.each(backends)('text answers on $name', (backend) => {
	const suite = useSuite(backend);

	it.each([
		['a name that reads backwards (U+202E)', { fullName: 'Aigerim \u202eilaktieS' }, 'fullName'],
		['a name with a bell', { fullName: 'Aigerim\u0007 Seitkali' }, 'fullName'],
		['a business name with a C1 control', { businessName: 'IE\u009b Seitkali' }, 'businessName'],
		['an address with an isolate', { address: 'Abay \u2066 1' }, 'address']
	])('refuses a submit with %s, storing no application', async (_name, change, field) => {
		const device = await newDevice(suite.app);
		const mutation = submit({ answers: rawAnswers(change) });
		const before = await counts(suite.db);
		const res = await push(suite.app, device, { mutations: [mutation] });
		expect(res.status).toBe(200);
		expect(res.json.results[0]).toEqual({
			mutationId: mutation.id,
			status: 'rejected',
			code: 'invalid_answers',
			fieldErrors: { [field]: 'forbidden_character' }
		});
		expect(await storedApplication(suite.db, mutation.applicationId)).toBeUndefined();
		// Recorded as an answer (so its replay answers the same), with no application.
		expect(await counts(suite.db)).toEqual({ ...before, mutations: before.mutations + 1 });
	});

	it('keeps a line break in a multi-line answer', async () => {
		const device = await newDevice(suite.app);
		const mutation = submit({ answers: rawAnswers({ address: 'Talgar,\nAbay 1' }) });
		const res = await push(suite.app, device, { mutations: [mutation] });
		expect(res.json.results[0]).toMatchObject({ status: 'applied' });
		expect((await storedApplication(suite.db, mutation.applicationId))?.answers).toMatchObject({
			address: 'Talgar,\nAbay 1'
		});
	});

	it('refuses a correction with one, leaving the application as it was', async () => {
		const device = await newDevice(suite.app);
		const first = submit({ seq: 1 });
		await push(suite.app, device, { mutations: [first] });
		const stored = await storedApplication(suite.db, first.applicationId);
		const res = await push(suite.app, device, {
			mutations: [
				amend(first.applicationId, 1, {
					seq: 2,
					answers: rawAnswers({ fullName: 'Aigerim\u200f Seitkali' })
				})
			]
		});
		expect(res.json.results[0]).toMatchObject({
			status: 'rejected',
			code: 'invalid_answers',
			fieldErrors: { fullName: 'forbidden_character' }
		});
		expect(await storedApplication(suite.db, first.applicationId)).toEqual(stored);
	});
});
