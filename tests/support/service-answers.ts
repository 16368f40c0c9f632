/**
 * Answers that pass every rule of each service, for tests; "today" is fixed so that date
 * rules give the same verdict on any day the tests run.
 */
import { iinCheckDigit } from '../../shared/iin';

export const TODAY = '2026-11-26';

/** A valid 12-digit number (IIN or BIN) starting with `prefix` (7 digits or fewer). */
export function withCheckDigit(prefix: string): string {
	for (let n = 0; n < 10_000; n++) {
		const first11 = `${prefix}${String(n).padStart(11 - prefix.length, '0')}`;
		const check = iinCheckDigit(first11);
		if (check !== null) return `${first11}${check}`;
	}
	throw new Error(`no valid number starts with ${prefix}`);
}

/** A woman born 12 April 1995, a man born 3 March 1990, a maternity hospital's BIN. */
export const MOTHER_IIN = withCheckDigit('9504124');
export const FATHER_IIN = withCheckDigit('9003033');
export const HOSPITAL_BIN = withCheckDigit('0501400');

export const GOOD_IE_V2 = {
	iin: '061211600012',
	fullName: 'Сейтқали Айгүл Нұрланқызы',
	phone: '+77012345678',
	tradeName: 'ЖК Сейтқали',
	activity: 'retail',
	taxRegime: 'simplified',
	startDate: '2026-12-01',
	'businessAddress.region': 'turkistan',
	'businessAddress.district': 'Сайрам ауданы',
	'businessAddress.settlement': 'Ақсу',
	'businessAddress.street': 'Абай көшесі',
	'businessAddress.house': '12'
};

export const GOOD_BIRTH = {
	childSurname: 'Сейтқали',
	childGivenName: 'Айару',
	childSex: 'female',
	childBirthDate: '2026-11-20',
	'birthPlace.region': 'turkistan',
	'birthPlace.district': 'Сайрам ауданы',
	'birthPlace.settlement': 'Ақсу',
	medicalRecordNumber: '20261120',
	medicalOrgBin: HOSPITAL_BIN,
	motherIin: MOTHER_IIN,
	motherSurname: 'Сейтқали',
	motherGivenName: 'Айгүл',
	fatherBasis: 'marriage',
	fatherIin: FATHER_IIN,
	fatherSurname: 'Сейтқали',
	fatherGivenName: 'Нұрлан',
	informant: 'mother',
	phone: '+77012345678'
};

/** 2026, first half: 4% of 5 000 000 = 200 000, all of it IIT (no social tax from 2026). */
export const GOOD_TAX = {
	iin: '061211600012',
	fullName: 'Сейтқали Айгүл Нұрланқызы',
	year: '2026',
	half: '1',
	income: '5000000',
	employees: '2',
	payroll: '1200000',
	incomeTax: '200000',
	socialTax: '0',
	taxDue: '200000'
};

/** Two photos as the device names them: the SHA-256 of each prepared file. */
export const ID_PHOTO_SHA = 'a'.repeat(64);
export const SITE_PHOTO_SHA = 'b'.repeat(64);

/** A kiosk selling fruit in Aksu for the summer, for an individual entrepreneur. */
export const GOOD_PERMIT = {
	iin: '061211600012',
	fullName: 'Сейтқали Айгүл Нұрланқызы',
	phone: '+77012345678',
	businessForm: 'entrepreneur',
	businessName: 'ЖК Сейтқали',
	outletType: 'kiosk',
	goods: 'produce',
	area: '6',
	'siteAddress.region': 'turkistan',
	'siteAddress.district': 'Сайрам ауданы',
	'siteAddress.settlement': 'Ақсу',
	'siteAddress.street': 'Абай көшесі',
	'siteAddress.house': '12',
	siteDescription: 'Аялдаманың жанында',
	startDate: '2027-04-01',
	endDate: '2027-10-31',
	idDocumentPhoto: ID_PHOTO_SHA,
	sitePhoto: SITE_PHOTO_SHA
};
