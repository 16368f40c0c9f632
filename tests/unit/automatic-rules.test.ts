import { describe, expect, it } from 'vitest';
import { decideByRule, registrationHolder } from '../../shared/services/automatic-rules';
import { findService } from '../../shared/services/catalog';
import { ServiceSpecSchema } from '../../shared/services/definition-schema';
import { specOf } from '../../shared/services/definition-schema';
import * as v from 'valibot';
import { GOOD_BIRTH, GOOD_IE_V2, GOOD_TAX } from '../support/service-answers';

const ie = findService('individual-entrepreneur', 2)!;
const ieV1 = findService('individual-entrepreneur', 1)!;
const tax = findService('simplified-tax-declaration', 1)!;
const birth = findService('birth-registration', 1)!;
const none = { openRegistration: false };
const open = { openRegistration: true };

describe('automatic rules', () => {
	it.each([
		// service, answers, facts, outcome
		['registration, retail', ie, GOOD_IE_V2, none, { decision: 'approve' }],
		['registration, IT', ie, { ...GOOD_IE_V2, activity: 'it' }, none, { decision: 'approve' }],
		[
			'registration, tutoring',
			ie,
			{ ...GOOD_IE_V2, activity: 'tutoring' },
			none,
			{ decision: 'approve' }
		],
		[
			'registration, café',
			ie,
			{ ...GOOD_IE_V2, activity: 'catering' },
			none,
			{ decision: 'review', reason: 'not_low_risk' }
		],
		[
			'registration, transport',
			ie,
			{ ...GOOD_IE_V2, activity: 'transport' },
			none,
			{ decision: 'review', reason: 'not_low_risk' }
		],
		[
			'registration, construction',
			ie,
			{ ...GOOD_IE_V2, activity: 'construction' },
			none,
			{ decision: 'review', reason: 'not_low_risk' }
		],
		[
			'registration, one already open',
			ie,
			GOOD_IE_V2,
			open,
			{ decision: 'review', reason: 'open_registration' }
		],
		[
			'registration, café and one open',
			ie,
			{ ...GOOD_IE_V2, activity: 'catering' },
			open,
			{ decision: 'review', reason: 'not_low_risk' }
		],
		['registration on version 1 (reviewed)', ieV1, GOOD_IE_V2, none, { decision: 'none' }],
		['declaration, tax as the table gives', tax, GOOD_TAX, none, { decision: 'approve' }],
		[
			'declaration, one tenge short',
			tax,
			{ ...GOOD_TAX, taxDue: '199999', incomeTax: '199999' },
			none,
			{ decision: 'review', reason: 'tax_mismatch' }
		],
		[
			'declaration, a year with no table',
			tax,
			{ ...GOOD_TAX, year: '2019' },
			none,
			{ decision: 'review', reason: 'tax_mismatch' }
		],
		[
			'declaration, another person’s open registration is no matter',
			tax,
			GOOD_TAX,
			open,
			{ decision: 'approve' }
		],
		['birth (reviewed)', birth, GOOD_BIRTH, none, { decision: 'none' }]
	] as const)('%s', (_, service, answers, facts, outcome) => {
		expect(decideByRule(service, answers, facts)).toEqual(outcome);
	});

	it('names whose registration it is only where the rule reads registrations', () => {
		expect(registrationHolder(ie)).toBe('iin');
		expect(registrationHolder(tax)).toBeUndefined();
		expect(registrationHolder(ieV1)).toBeUndefined();
	});

	it('a definition whose rule names fields of the wrong kind is refused', () => {
		const spec = specOf(ie);
		const wrong = (processing: object) =>
			v.safeParse(ServiceSpecSchema, { ...spec, processing }).issues?.map((i) => i.message);
		expect(
			wrong({
				kind: 'automatic',
				rule: 'lowRiskNotification',
				activity: 'tradeName',
				applicant: 'iin',
				lowRisk: ['retail']
			})
		).toContain('processing.activity names tradeName, not a choice');
		expect(
			wrong({
				kind: 'automatic',
				rule: 'lowRiskNotification',
				activity: 'activity',
				applicant: 'iin',
				lowRisk: ['fishing']
			})
		).toContain('processing.lowRisk has fishing, not an option of the activity');
		expect(
			wrong({
				kind: 'automatic',
				rule: 'lowRiskNotification',
				activity: 'activity',
				applicant: 'fullName',
				lowRisk: ['retail']
			})
		).toContain('processing.applicant names fullName, not an IIN');
		expect(wrong({ kind: 'automatic', rule: 'acceptDeclaration' })).toContain(
			'acceptDeclaration needs a simplifiedTax rule to check'
		);
		expect(wrong({ kind: 'automatic', rule: 'guessFromTheName' })).toBeDefined();
	});
});
