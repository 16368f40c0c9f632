/**
 * People as they appear on Kazakh forms: Kazakh and Russian names with patronymics in both
 * styles, IINs that pass the check digit and agree with the birth date and sex, and phones
 * in the shapes people type them. Everything is drawn from a seeded generator, so the same
 * seed gives the same people.
 */
import { iinCheckDigit } from '../../shared/iin';

export type Rng = () => number;

/** A small fast PRNG (mulberry32): the same seed gives the same documents everywhere. */
export function random(seed: number): Rng {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

/** A list written as one line of words, so it stays short and easy to extend. */
export const words = (text: string): readonly string[] => text.split(' ');
export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
export const int = (rng: Rng, min: number, max: number) =>
	min + Math.floor(rng() * (max - min + 1));

// --- Names ------------------------------------------------------------------------------

const KAZAKH_MEN = words(
	'Нұрлан Ерлан Асқар Бауыржан Дәурен Ержан Қайрат Мұрат Серік Талғат Азамат Әділет Жандос Бекзат Дархан Ғалым Арман Ерболат'
);
const KAZAKH_WOMEN = words(
	'Айгерім Гүлнар Әсел Дана Жанар Мөлдір Ақбота Сәуле Динара Аружан Назерке Айжан Гүлмира Ләззат Балжан Жұлдыз Салтанат'
);
/** Male forms; the female form adds -а (Омаров → Омарова). */
const KAZAKH_SURNAMES = words(
	'Сейтқалиев Омаров Ахметов Жақсылықов Нұрғалиев Сәрсенбаев Тоқтаров Исабеков Бекмұхамбетов Қасымов Жұмабаев Оспанов Әбдірахманов Мұқанов Есенов Бейсенов Төлеуов Байжанов'
);
/** Men's names with the stem of the patronymic they give (+ович/+овна, or +ич/+на after -ев). */
const RUSSIAN_MEN: readonly [string, string][] = [
	['Александр', 'Александр'],
	['Сергей', 'Сергеев'],
	['Дмитрий', 'Дмитриев'],
	['Андрей', 'Андреев'],
	['Владимир', 'Владимир'],
	['Николай', 'Николаев'],
	['Виктор', 'Виктор'],
	['Юрий', 'Юрьев'],
	['Пётр', 'Петр'],
	['Иван', 'Иван']
];
const RUSSIAN_WOMEN = words('Ольга Елена Наталья Татьяна Ирина Светлана Людмила Анастасия Юлия');
const RUSSIAN_SURNAMES = words('Иванов Петров Смирнов Кузнецов Попов Васильев Новиков');
/** Surnames that do not change with sex. */
const INVARIANT_SURNAMES = words('Ким Пак Цой Шевченко Ткаченко Бондаренко');

/** Names given to children born these years (the registry's most frequent). */
const KAZAKH_BOYS = words(
	'Әлихан Алдияр Нұрислам Омар Айсұлтан Ибраһим Мұхаммед Әмір Алинұр Расул Санжар Нұрасыл Ерасыл Айбар Арлан'
);
const KAZAKH_GIRLS = words(
	'Айлин Медина Томирис Інжу Асылым Раяна Айша Хадиша Аяла Айару Жансая Амина Әмина Сафия Аружан'
);
const RUSSIAN_BOYS = words('Артём Михаил Максим Александр Лев Матвей Марк Тимофей');
const RUSSIAN_GIRLS = words('София Алиса Ева Мария Варвара Анна Виктория Полина');

/** A family name and how it changes with sex. */
export interface Surname {
	/** The male form, or the one form of an invariant surname. */
	male: string;
	invariant: boolean;
}
export const surnameOf = (s: Surname, female: boolean) =>
	female && !s.invariant ? `${s.male}а` : s.male;

export interface Person {
	surname: string;
	givenName: string;
	/** Empty when the person has none written. */
	patronymic: string;
	female: boolean;
	/** As a full-name field holds it: surname, name, patronymic. */
	fullName: string;
}

function person(surname: string, givenName: string, patronymic: string, female: boolean): Person {
	const fullName = [surname, givenName, patronymic].filter((p) => p !== '').join(' ');
	return { surname, givenName, patronymic, female, fullName };
}

/** Kazakh or Russian naming, the two a form at a kiosk sees. */
export type Naming = 'kazakh' | 'russian';

export function familySurname(rng: Rng, naming: Naming): Surname {
	if (naming === 'kazakh') return { male: pick(rng, KAZAKH_SURNAMES), invariant: false };
	return rng() < 0.3
		? { male: pick(rng, INVARIANT_SURNAMES), invariant: true }
		: { male: pick(rng, RUSSIAN_SURNAMES), invariant: false };
}

/** A father's given name, for an adult of this naming. */
export function manName(rng: Rng, naming: Naming): string {
	return naming === 'kazakh' ? pick(rng, KAZAKH_MEN) : pick(rng, RUSSIAN_MEN)[0];
}

/**
 * The patronymic from a father's given name. Many Kazakhs now write it the Kazakh way
 * (-ұлы / -қызы), others the Russian way (-ович), typed without the Kazakh letters.
 */
export function patronymic(rng: Rng, fatherName: string, female: boolean): string {
	const russian = RUSSIAN_MEN.find(([name]) => name === fatherName);
	if (russian) {
		const stem = russian[1];
		return stem.endsWith('ев') ? stem + (female ? 'на' : 'ич') : stem + (female ? 'овна' : 'ович');
	}
	return rng() < 0.6
		? fatherName + (female ? 'қызы' : 'ұлы')
		: withoutKazakhLetters(fatherName) + (female ? 'овна' : 'ович');
}

/** An adult with a name of this naming, the surname given or drawn. */
export function adult(
	rng: Rng,
	naming: Naming,
	female: boolean,
	surname: Surname = familySurname(rng, naming)
): Person {
	const given =
		naming === 'kazakh'
			? pick(rng, female ? KAZAKH_WOMEN : KAZAKH_MEN)
			: female
				? pick(rng, RUSSIAN_WOMEN)
				: pick(rng, RUSSIAN_MEN)[0];
	return person(
		surnameOf(surname, female),
		given,
		patronymic(rng, manName(rng, naming), female),
		female
	);
}

/** A newborn's given name. */
export function childName(rng: Rng, naming: Naming, female: boolean): string {
	if (naming === 'kazakh') return pick(rng, female ? KAZAKH_GIRLS : KAZAKH_BOYS);
	return pick(rng, female ? RUSSIAN_GIRLS : RUSSIAN_BOYS);
}

// People who type without the Kazakh keyboard layout write ә as а, қ as к, and so on; the
// Russian-style patronymic is always written that way.
const SIMPLE_CYRILLIC: Record<string, string> = {
	ә: 'а',
	ғ: 'г',
	қ: 'к',
	ң: 'н',
	ө: 'о',
	ұ: 'у',
	ү: 'у',
	і: 'и',
	һ: 'х'
};
export function withoutKazakhLetters(text: string): string {
	return text.replace(/[әғқңөұүіһ]/gi, (c) => {
		const plain = SIMPLE_CYRILLIC[c.toLowerCase()] ?? c;
		return c === c.toLowerCase() ? plain : plain.toUpperCase();
	});
}

// --- Numbers ----------------------------------------------------------------------------

/**
 * An IIN of someone born between `fromYear` and `toYear`: the first six digits are the
 * birth date, the seventh the century and sex (3/4 for the 1900s, 5/6 for the 2000s; odd
 * for men), the last the check digit.
 */
export function iinFor(rng: Rng, female: boolean, fromYear: number, toYear: number): string {
	for (;;) {
		const year = int(rng, fromYear, toYear);
		const month = int(rng, 1, 12);
		const day = int(rng, 1, 28);
		const century = (year < 2000 ? 3 : 5) + (female ? 1 : 0);
		const first11 =
			String(year % 100).padStart(2, '0') +
			String(month).padStart(2, '0') +
			String(day).padStart(2, '0') +
			century +
			String(int(rng, 0, 9999)).padStart(4, '0');
		const check = iinCheckDigit(first11);
		// About one serial in eleven has no valid check digit; the registry skips those too.
		if (check !== null) return first11 + check;
	}
}

/** Some copy the IIN from the ID card with the space it is printed with. */
export const typedIin = (rng: Rng, iin: string) =>
	rng() < 0.2 ? `${iin.slice(0, 6)} ${iin.slice(6)}` : iin;

const MOBILE_CODES = words('700 701 702 705 707 708 747 771 775 776 777 778');

/** A mobile number in one of the shapes people type: +7 701 …, 8 (701) …, 8701…. */
export function phone(rng: Rng): string {
	const code = pick(rng, MOBILE_CODES);
	const a = String(int(rng, 200, 999));
	const b = String(int(rng, 0, 99)).padStart(2, '0');
	const c = String(int(rng, 0, 99)).padStart(2, '0');
	switch (int(rng, 0, 3)) {
		case 0:
			return `+7 ${code} ${a} ${b} ${c}`;
		case 1:
			return `8 (${code}) ${a}-${b}-${c}`;
		case 2:
			return `8${code}${a}${b}${c}`;
		default:
			return `+7${code}${a}${b}${c}`;
	}
}
