import { addDays, todayInKazakhstan } from '../../shared/dates';
import { iinCheckDigit } from '../../shared/iin';
import type { Answers } from '../../shared/services/validate';
import type { Random } from './random';

const NAMES = [
	'Айгүл Сейтқали',
	'Нұрлан Әбдірахман',
	'Данияр Оспанов',
	'Гүлнар Бекова',
	'Ерлан Жақсылық'
];
const PLACES = ['Ақсу ауылы', 'Талғар қаласы', 'Сайрам ауданы', 'Жаңақорған кенті'];
const ACTIVITIES = ['retail', 'catering', 'agriculture', 'transport', 'repair'];

/** A valid IIN: eleven random digits and their check digit. */
export function randomIin(random: Random): string {
	for (;;) {
		const first11 = Array.from({ length: 11 }, () => random.int(10)).join('');
		const check = iinCheckDigit(first11);
		if (check !== null) return `${first11}${check}`;
	}
}

/** A simulated person: who they are for the server, and the phone their codes go to. */
export interface Person {
	iin: string;
	phone: string;
}

const randomPhone = (random: Random) => `+7701${String(random.int(10_000_000)).padStart(7, '0')}`;

export function randomPerson(random: Random): Person {
	return { iin: randomIin(random), phone: randomPhone(random) };
}

/** Answers the individual-entrepreneur service accepts, already in normalized form. */
export function validAnswers(random: Random): Answers {
	const name = random.pick(NAMES);
	return {
		iin: randomIin(random),
		fullName: name,
		businessName: `ЖК ${name.split(' ')[1]} ${random.int(1000)}`,
		activity: random.pick(ACTIVITIES),
		address: `${random.pick(PLACES)}, ${random.int(200) + 1}-үй`,
		phone: randomPhone(random)
	};
}

/** Answers the server must refuse (a wrong IIN check digit), to prove refusals never block. */
export function invalidAnswers(random: Random): Answers {
	const answers = validAnswers(random);
	const last = Number(answers.iin!.at(-1));
	return { ...answers, iin: `${answers.iin!.slice(0, 11)}${(last + 1) % 10}` };
}

/** Permit answers the server accepts, but for the photos, which the device adds. */
export function permitAnswers(random: Random): Answers {
	const today = todayInKazakhstan();
	return {
		iin: randomIin(random),
		fullName: random.pick(NAMES),
		phone: randomPhone(random),
		businessForm: 'entrepreneur',
		businessName: `ЖК ${random.int(1000)}`,
		outletType: random.pick(['kiosk', 'pavilion', 'stall', 'mobile', 'cart']),
		goods: random.pick(['food', 'produce', 'drinks', 'press', 'flowers', 'non-food']),
		area: String(1 + random.int(30)),
		'siteAddress.region': 'turkistan',
		'siteAddress.district': 'Сайрам ауданы',
		'siteAddress.settlement': random.pick(PLACES),
		'siteAddress.street': 'Абай көшесі',
		'siteAddress.house': String(1 + random.int(200)),
		startDate: addDays(today, 1 + random.int(60)),
		endDate: addDays(today, 90 + random.int(200))
	};
}
