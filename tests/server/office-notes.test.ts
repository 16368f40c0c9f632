/**
 * What reviewers keep for each other and what the applicant hears: notes on an
 * application (never in a pull, never to another region) and the SMS of a decision, sent
 * to the phone the applicant's sign-in verified, after the decision and whatever the
 * gateway does.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { OfficeApplication } from '../../shared/office';
import { developmentRegister } from '../../sync-server/accounts/phone-register';
import { createLogger } from '../../sync-server/http/log';
import { backends } from './backends';
import {
	inboxOf,
	newDevice,
	newPerson,
	newReviewer,
	pullAll,
	push,
	signedCall,
	submit,
	testApp,
	useSuite
} from './helpers';

describe.each(backends)('notes and decision SMS on $name', (backend) => {
	const suite = useSuite(backend);

	it('keeps a note for reviewers of the region, never in the applicant’s pull', async () => {
		const device = await newDevice(suite.app);
		const m = submit();
		await push(suite.app, device, { mutations: [m] });
		const reviewer = await newReviewer(suite.app, suite.db);
		const path = `/api/office/applications/${m.applicationId}/notes`;
		const words = 'Checked the register by phone: the name matches.';

		const added = await signedCall(suite.app, reviewer, path, { text: `  ${words} ` });
		expect(added.status, added.text).toBe(201);
		const view = v.parse(
			OfficeApplication,
			(await signedCall(suite.app, reviewer, `/api/office/applications/${m.applicationId}`)).json
		);
		expect(view.notes).toEqual([{ author: 'Test reviewer', text: words, at: expect.any(String) }]);

		const { changes } = await pullAll(suite.app, suite.db, device);
		expect(JSON.stringify(changes)).not.toContain('register by phone');
		expect((await signedCall(suite.app, reviewer, path, { text: '   ' })).status).toBe(400);
		expect((await signedCall(suite.app, reviewer, path, { text: 'a\u202Eb' })).status).toBe(400);
		const astana = await newReviewer(suite.app, suite.db, 'astana');
		expect((await signedCall(suite.app, astana, path, { text: 'mine' })).status).toBe(404);
		expect((await signedCall(suite.app, device, path, { text: 'mine' })).status).toBe(404);
	});

	it('texts the applicant’s verified phone when decided, not when taken into review', async () => {
		const person = newPerson();
		const device = await newDevice(suite.app, person);
		const m = submit();
		const reference = (await push(suite.app, device, { mutations: [m] })).json.results[0]
			.application.reference;
		const reviewer = await newReviewer(suite.app, suite.db);
		const decide = (body: object) =>
			signedCall(suite.app, reviewer, `/api/office/applications/${m.applicationId}/decision`, body);

		expect((await decide({ status: 'in_review', baseVersion: 1 })).status).toBe(200);
		expect((await decide({ status: 'approved', baseVersion: 2 })).status).toBe(200);

		await expect
			.poll(() => inboxOf(suite.app).messagesFor(person.phone))
			.toEqual([`Dala ${reference}: мақұлданды / одобрено`]);
	});

	it('records the decision when the gateway fails, and logs it without the phone', async () => {
		const lines: string[] = [];
		const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
		const app = testApp(suite.db, {
			log,
			accounts: {
				sender: {
					description: 'a gateway that is down for news',
					async send(_phone, sms) {
						if (sms.kind === 'decision') throw new Error('gateway 503');
					}
				},
				register: developmentRegister(log)
			}
		});
		const person = newPerson();
		const device = await newDevice(app, person);
		const m = submit();
		await push(app, device, { mutations: [m] });
		const reviewer = await newReviewer(app, suite.db);

		const decided = await signedCall(
			app,
			reviewer,
			`/api/office/applications/${m.applicationId}/decision`,
			{ status: 'rejected', reason: 'Not in this district.', baseVersion: 1 }
		);
		expect(decided.status).toBe(200);
		await expect
			.poll(() => lines.some((line) => line.includes('decision SMS not sent')))
			.toBe(true);
		const logged = lines.find((line) => line.includes('decision SMS not sent'))!;
		expect(logged).toContain(m.applicationId);
		expect(logged).not.toContain(person.phone.slice(-7));
	});
});
