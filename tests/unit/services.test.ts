import { describe, expect, it } from 'vitest';
import { iinBirthDate, isValidBin } from '../../shared/iin';
import { birthRegistration } from '../../shared/services/birth-registration';
import { currentServices, findService, SERVICES } from '../../shared/services/catalog';
import { defineService } from '../../shared/services/definition';
import {
	individualEntrepreneur,
	individualEntrepreneurV2
} from '../../shared/services/individual-entrepreneur';
import { migrateAnswers } from '../../shared/services/migrate';
import { simplifiedTaxDeclaration } from '../../shared/services/simplified-tax-declaration';
import { tradeOutletPermit } from '../../shared/services/trade-outlet-permit';
import { MAX_FILE_BYTES } from '../../shared/files';
import { computedAnswers, serviceInputs, validateAnswers } from '../../shared/services/validate';
import {
	FATHER_IIN,
	GOOD_BIRTH,
	GOOD_IE_V2,
	GOOD_PERMIT,
	GOOD_TAX,
	HOSPITAL_BIN,
	MOTHER_IIN,
	TODAY,
	withCheckDigit
} from '../support/service-answers';

const check = (service = individualEntrepreneurV2, input: unknown = {}) =>
	validateAnswers(service, input, { today: TODAY });

describe('the catalogue', () => {
	it('offers the newest supported version of each service', () => {
		expect(currentServices().map((s) => `${s.id}@${s.version}`)).toEqual([
			'individual-entrepreneur@2',
			'birth-registration@1',
			'simplified-tax-declaration@1',
			'trade-outlet-permit@1'
		]);
	});

	it('skips retired versions', () => {
		const retired = { ...birthRegistration, version: 2, supported: false };
		expect(currentServices([birthRegistration, retired])).toEqual([birthRegistration]);
	});

	it('still knows version 1 of the entrepreneur service, and accepts it', () => {
		expect(findService('individual-entrepreneur', 1)).toBe(individualEntrepreneur);
		expect(individualEntrepreneur.supported).toBe(true);
	});

	it.each(SERVICES.map((s) => [`${s.id}@${s.version}`, s] as const))(
		'%s is complete in every language and names inputs uniquely',
		(_, service) => {
			const names = serviceInputs(service).map((f) => f.name);
			expect(new Set(names).size).toBe(names.length);
			for (const text of [service.title, service.summary, service.help, service.eligibility.text]) {
				expect(Object.keys(text).sort()).toEqual(['en', 'kk', 'ru']);
				expect(Object.values(text).every((t) => t.trim().length > 0)).toBe(true);
			}
			for (const field of serviceInputs(service)) {
				expect(Object.values(field.label).every((t) => t.trim().length > 0)).toBe(true);
			}
			// Every rule names inputs the service has.
			for (const rule of service.rules) {
				for (const [key, value] of Object.entries(rule)) {
					if (key !== 'rule' && typeof value === 'string') expect(names).toContain(value);
				}
			}
		}
	);
});

describe('individual entrepreneur, version 2', () => {
	it('accepts good answers and normalizes them', () => {
		expect(
			check(individualEntrepreneurV2, {
				...GOOD_IE_V2,
				phone: '8 (701) 234-56-78',
				startDate: '1.12.2026'
			})
		).toEqual({ ok: true, answers: GOOD_IE_V2 });
	});

	it('asks for every part of the address', () => {
		const result = check(individualEntrepreneurV2, {
			...GOOD_IE_V2,
			'businessAddress.region': 'atlantis',
			'businessAddress.house': ''
		});
		expect(result).toEqual({
			ok: false,
			fieldErrors: {
				'businessAddress.region': 'invalid_choice',
				'businessAddress.house': 'required'
			}
		});
	});

	it.each([
		['2026-02-30', 'invalid_date'],
		['next week', 'invalid_date'],
		['2027-03-01', 'date_too_late'],
		['1990-01-01', 'date_too_early']
	])('refuses the start date %s as %s', (startDate, code) => {
		expect(check(individualEntrepreneurV2, { ...GOOD_IE_V2, startDate })).toEqual({
			ok: false,
			fieldErrors: { startDate: code }
		});
	});
});

describe('birth registration', () => {
	it('accepts good answers', () => {
		expect(check(birthRegistration, GOOD_BIRTH)).toEqual({ ok: true, answers: GOOD_BIRTH });
	});

	it('refuses a birth in the future', () => {
		expect(check(birthRegistration, { ...GOOD_BIRTH, childBirthDate: '2026-11-27' })).toEqual({
			ok: false,
			fieldErrors: { childBirthDate: 'date_in_future' }
		});
	});

	it('refuses a child born before the mother, as her IIN says', () => {
		expect(iinBirthDate(MOTHER_IIN)).toBe('1995-04-12');
		expect(check(birthRegistration, { ...GOOD_BIRTH, childBirthDate: '1995-04-11' })).toEqual({
			ok: false,
			fieldErrors: { childBirthDate: 'born_before_parent' }
		});
	});

	it('says exactly what is wrong with each bad answer', () => {
		const result = check(birthRegistration, {
			...GOOD_BIRTH,
			motherIin: `${MOTHER_IIN.slice(0, 11)}${(Number(MOTHER_IIN[11]) + 1) % 10}`,
			medicalOrgBin: MOTHER_IIN,
			medicalRecordNumber: 'AB-12',
			childSex: 'unknown',
			childGivenName: 7,
			'birthPlace.settlement': ''
		});
		expect(result).toEqual({
			ok: false,
			fieldErrors: {
				motherIin: 'invalid_iin',
				medicalOrgBin: 'invalid_bin',
				medicalRecordNumber: 'invalid_format',
				childSex: 'invalid_choice',
				childGivenName: 'invalid_type',
				'birthPlace.settlement': 'required'
			}
		});
	});

	it('needs the father’s IIN unless he is recorded from the mother’s statement', () => {
		const { fatherIin: _, ...noFatherIin } = GOOD_BIRTH;
		expect(check(birthRegistration, noFatherIin)).toEqual({
			ok: false,
			fieldErrors: { fatherIin: 'required' }
		});
		expect(check(birthRegistration, { ...noFatherIin, fatherBasis: 'mother' }).ok).toBe(true);
	});

	it('needs the applicant’s IIN and name when someone else applies', () => {
		expect(check(birthRegistration, { ...GOOD_BIRTH, informant: 'other' })).toEqual({
			ok: false,
			fieldErrors: { informantIin: 'required', informantName: 'required' }
		});
		expect(
			check(birthRegistration, {
				...GOOD_BIRTH,
				informant: 'other',
				informantIin: FATHER_IIN,
				informantName: 'Сейтқали Нұрлан'
			}).ok
		).toBe(true);
	});
});

describe('simplified tax declaration', () => {
	it('accepts good answers with the figures worked out from the table', () => {
		expect(
			check(simplifiedTaxDeclaration, { ...GOOD_TAX, income: '5 000 000', payroll: '1200000,00' })
		).toEqual({ ok: true, answers: GOOD_TAX });
	});

	it('works the figures out as the person types', () => {
		const { incomeTax: _, socialTax: __, taxDue: ___, ...typed } = GOOD_TAX;
		expect(computedAnswers(simplifiedTaxDeclaration, typed, { today: TODAY })).toEqual({
			incomeTax: '200000',
			socialTax: '0',
			taxDue: '200000'
		});
		expect(
			computedAnswers(simplifiedTaxDeclaration, { ...typed, income: '-1' }, { today: TODAY })
		).toEqual({ incomeTax: '', socialTax: '', taxDue: '' });
	});

	it('refuses a negative income and a non-number', () => {
		expect(check(simplifiedTaxDeclaration, { ...GOOD_TAX, income: '-5000' })).toEqual({
			ok: false,
			fieldErrors: { income: 'too_small' }
		});
		expect(
			check(simplifiedTaxDeclaration, { ...GOOD_TAX, income: '5e6', employees: '1.5' })
		).toEqual({
			ok: false,
			fieldErrors: { income: 'invalid_amount', employees: 'invalid_number' }
		});
	});

	it('refuses a figure the server does not work out from its table', () => {
		expect(check(simplifiedTaxDeclaration, { ...GOOD_TAX, taxDue: '150000' })).toEqual({
			ok: false,
			fieldErrors: { taxDue: 'computed_mismatch' }
		});
		const { taxDue: _, ...missing } = GOOD_TAX;
		expect(check(simplifiedTaxDeclaration, missing)).toEqual({
			ok: false,
			fieldErrors: { taxDue: 'required' }
		});
	});

	it('refuses a half-year that has not ended, and a year with no rates', () => {
		expect(check(simplifiedTaxDeclaration, { ...GOOD_TAX, half: '2' })).toEqual({
			ok: false,
			fieldErrors: { half: 'period_not_ended' }
		});
		expect(check(simplifiedTaxDeclaration, { ...GOOD_TAX, year: '2019' })).toEqual({
			ok: false,
			fieldErrors: { year: 'no_tax_rates' }
		});
	});

	it('refuses a payroll without employees', () => {
		const result = check(simplifiedTaxDeclaration, { ...GOOD_TAX, employees: '0' });
		expect(result).toEqual({ ok: false, fieldErrors: { payroll: 'payroll_without_employees' } });
	});
});

describe('permit for a trade outlet', () => {
	const permit = (changes: Record<string, string>) =>
		check(tradeOutletPermit, { ...GOOD_PERMIT, ...changes });

	it('accepts good answers, its photos as SHA-256 and its site address in parts', () => {
		expect(permit({})).toEqual({ ok: true, answers: GOOD_PERMIT });
	});

	it('asks for both photos, as the hash of a file, never a file name', () => {
		expect(permit({ idDocumentPhoto: '', sitePhoto: 'IMG_0042.jpg' })).toEqual({
			ok: false,
			fieldErrors: { idDocumentPhoto: 'required', sitePhoto: 'invalid_type' }
		});
	});

	it('takes the JPEG the device makes, within what the server stores', () => {
		for (const field of tradeOutletPermit.fields) {
			if (field.kind !== 'photo') continue;
			expect(field.accept).toEqual(['image/jpeg']);
			expect(field.maxBytes).toBeLessThanOrEqual(MAX_FILE_BYTES);
		}
		expect(tradeOutletPermit.fields.filter((f) => f.kind === 'photo')).toHaveLength(2);
	});

	it('needs a BIN for a company, and only then', () => {
		expect(permit({ businessForm: 'company' })).toEqual({
			ok: false,
			fieldErrors: { companyBin: 'required' }
		});
		expect(permit({ businessForm: 'company', companyBin: HOSPITAL_BIN }).ok).toBe(true);
		expect(permit({ companyBin: '061211600012' })).toEqual({
			ok: false,
			fieldErrors: { companyBin: 'invalid_bin' }
		});
	});

	it('refuses a period that ends before it starts, or lasts more than a year', () => {
		expect(permit({ endDate: '2027-03-31' })).toEqual({
			ok: false,
			fieldErrors: { endDate: 'end_before_start' }
		});
		expect(permit({ endDate: '2028-04-02' })).toEqual({
			ok: false,
			fieldErrors: { endDate: 'period_too_long' }
		});
		expect(permit({ endDate: '2028-03-31' }).ok).toBe(true);
		expect(permit({ endDate: '2027-04-01' }).ok).toBe(true);
	});

	it('refuses an area of no square metres or more than a hundred', () => {
		expect(permit({ area: '0' })).toMatchObject({ fieldErrors: { area: 'too_small' } });
		expect(permit({ area: '101' })).toMatchObject({ fieldErrors: { area: 'too_large' } });
	});
});

describe('BIN', () => {
	it('accepts a legal entity’s BIN', () => {
		expect(isValidBin(HOSPITAL_BIN)).toBe(true);
	});

	it.each([
		['an IIN (digit 5 is not 4, 5 or 6)', MOTHER_IIN],
		['month 13', withCheckDigit('0513400')],
		['a wrong check digit', `${HOSPITAL_BIN.slice(0, 11)}${(Number(HOSPITAL_BIN[11]) + 1) % 10}`],
		['eleven digits', HOSPITAL_BIN.slice(0, 11)]
	])('refuses %s', (_, bin) => {
		expect(isValidBin(bin)).toBe(false);
	});
});

describe('migrating an entrepreneur draft from version 1 to 2', () => {
	const v1 = {
		iin: '061211600012',
		fullName: 'Сейтқали Айгүл Нұрланқызы',
		businessName: 'ЖК Сейтқали',
		activity: 'retail',
		address: 'Түркістан облысы, Сайрам ауданы, Ақсу ауылы, Абай көшесі, 12',
		phone: '+77012345678'
	};

	it('carries, renames and transforms answers, and lists what is new', () => {
		const { answers, newInputs } = migrateAnswers(
			individualEntrepreneur,
			individualEntrepreneurV2,
			v1
		);
		expect(answers).toEqual({
			iin: v1.iin,
			fullName: v1.fullName,
			phone: v1.phone,
			tradeName: v1.businessName,
			activity: 'retail',
			'businessAddress.region': 'turkistan'
		});
		expect(newInputs).toEqual([
			'taxRegime',
			'startDate',
			'businessAddress.district',
			'businessAddress.settlement',
			'businessAddress.street',
			'businessAddress.house',
			'businessAddress.flat'
		]);
	});

	it('finds the region in Russian and tells Almaty city from Almaty Region', () => {
		const region = (address: string) =>
			migrateAnswers(individualEntrepreneur, individualEntrepreneurV2, { ...v1, address }).answers[
				'businessAddress.region'
			];
		expect(region('Алматинская область, Талгарский район')).toBe('almaty-region');
		expect(region('город Алматы, ул. Абая 1')).toBe('almaty');
		expect(region('ауыл Ақсу')).toBeUndefined();
	});

	it('gives answers version 2 accepts once the new questions are answered', () => {
		const { answers } = migrateAnswers(individualEntrepreneur, individualEntrepreneurV2, v1);
		expect(check(individualEntrepreneurV2, { ...GOOD_IE_V2, ...answers })).toEqual({
			ok: true,
			answers: GOOD_IE_V2
		});
	});

	it('refuses to migrate between unrelated versions', () => {
		expect(() => migrateAnswers(birthRegistration, individualEntrepreneurV2, {})).toThrow();
	});
});

describe('kinds no service uses yet', () => {
	const service = defineService({
		...birthRegistration,
		id: 'kinds',
		rules: [],
		steps: [
			{
				id: 'only',
				title: birthRegistration.title,
				fields: [
					{
						name: 'idPhoto',
						kind: 'photo',
						required: true,
						accept: ['image/jpeg', 'image/webp'],
						maxBytes: 200_000,
						label: birthRegistration.title
					},
					{
						name: 'rooms',
						kind: 'number',
						required: false,
						min: 1,
						max: 50,
						label: birthRegistration.title
					}
				]
			}
		]
	});
	const sha256 = 'a'.repeat(64);

	it('takes a photo as the SHA-256 of its upload, and a number as its canonical text', () => {
		expect(check(service, { idPhoto: sha256, rooms: ' 007 ' })).toEqual({
			ok: true,
			answers: { idPhoto: sha256, rooms: '7' }
		});
	});

	it.each([
		[{ idPhoto: 'photo.jpg' }, { idPhoto: 'invalid_type' }],
		[{ idPhoto: sha256, rooms: '0' }, { rooms: 'too_small' }],
		[{ idPhoto: sha256, rooms: '51' }, { rooms: 'too_large' }],
		[{ idPhoto: sha256, rooms: 'three' }, { rooms: 'invalid_number' }]
	])('refuses %o', (input, fieldErrors) => {
		expect(check(service, input)).toEqual({ ok: false, fieldErrors });
	});
});
