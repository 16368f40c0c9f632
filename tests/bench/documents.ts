/**
 * Realistic applications to register as an individual entrepreneur, as people type them
 * into the form: Kazakh and Russian names, IINs that pass the check digit and agree with
 * the birth date and sex, real regions, districts and villages, business names that fit
 * the activity, phones in the shapes people write them. Deterministic per index, so
 * every system under test is fed the very same documents.
 *
 * Only the fields the service asks for are filled: the server drops any other key, so
 * padding a document with free text to reach a size would measure bytes nobody stores.
 */
import { iinCheckDigit } from '../../shared/iin';
import { individualEntrepreneur } from '../../shared/services/individual-entrepreneur';
import { validateAnswers, type Answers } from '../../shared/services/validate';

/** Answers as a person typed them (the server trims and normalizes them). */
export type TypedAnswers = Record<string, string>;

/** A small fast PRNG (mulberry32): the same seed gives the same documents everywhere. */
export function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

type Rng = () => number;
/** A list written as one line of words, so it stays short and easy to extend. */
const words = (text: string): readonly string[] => text.split(' ');
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

// --- People -----------------------------------------------------------------------------

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
const RUSSIAN_MEN = words('Александр Сергей Дмитрий Андрей Владимир Николай Виктор');
const RUSSIAN_WOMEN = words('Ольга Елена Наталья Татьяна Ирина Светлана Людмила');
const RUSSIAN_SURNAMES = words('Иванов Петров Смирнов Кузнецов Попов Васильев Новиков');
/** Surnames that do not change with sex. */
const INVARIANT_SURNAMES = words('Ким Пак Цой Шевченко Ткаченко Бондаренко');
/** Father's name → Russian patronymic stem (+ович / +овна). */
const RUSSIAN_FATHERS = words('Петр Виктор Николаев Александр Сергеев Иван Юрьев');

interface Person {
	fullName: string;
	surname: string;
	female: boolean;
}

function kazakhPerson(rng: Rng): Person {
	const female = rng() < 0.5;
	const surname = pick(rng, KAZAKH_SURNAMES) + (female ? 'а' : '');
	const name = pick(rng, female ? KAZAKH_WOMEN : KAZAKH_MEN);
	// Many now write the Kazakh patronymic (-ұлы / -қызы), others the Russian one (-ович).
	const father = pick(rng, KAZAKH_MEN);
	const patronymic =
		rng() < 0.6
			? father + (female ? 'қызы' : 'ұлы')
			: withoutKazakhLetters(father) + (female ? 'овна' : 'ович');
	return { fullName: `${surname} ${name} ${patronymic}`, surname, female };
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
	і: 'и'
};
function withoutKazakhLetters(text: string): string {
	return text.replace(/[әғқңөұүі]/gi, (c) => {
		const plain = SIMPLE_CYRILLIC[c.toLowerCase()] ?? c;
		return c === c.toLowerCase() ? plain : plain.toUpperCase();
	});
}

function russianPerson(rng: Rng): Person {
	const female = rng() < 0.5;
	const invariant = rng() < 0.3;
	const surname = invariant
		? pick(rng, INVARIANT_SURNAMES)
		: pick(rng, RUSSIAN_SURNAMES) + (female ? 'а' : '');
	const name = pick(rng, female ? RUSSIAN_WOMEN : RUSSIAN_MEN);
	const stem = pick(rng, RUSSIAN_FATHERS);
	const patronymic = stem.endsWith('ев')
		? stem + (female ? 'на' : 'ич')
		: stem + (female ? 'овна' : 'ович');
	return { fullName: `${surname} ${name} ${patronymic}`, surname, female };
}

/**
 * An IIN whose first six digits are the birth date, the seventh the century and sex
 * (3/4 for the 1900s, 5/6 for the 2000s; odd for men), and the last the check digit.
 */
function iinFor(rng: Rng, female: boolean): string {
	for (;;) {
		const year = int(rng, 1962, 2005);
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

// --- Places -----------------------------------------------------------------------------

/**
 * Real places, one a line: region, district and settlement in Russian | the same in Kazakh.
 */
const PLACES = `
Алматинская область, Талгарский район, село Бесагаш | Алматы облысы, Талғар ауданы, Бесағаш ауылы
Алматинская область, Енбекшиказахский район, город Есик | Алматы облысы, Еңбекшіқазақ ауданы, Есік қаласы
Алматинская область, Карасайский район, город Каскелен | Алматы облысы, Қарасай ауданы, Қаскелең қаласы
Алматинская область, Илийский район, посёлок Отеген батыр | Алматы облысы, Іле ауданы, Өтеген батыр кенті
Алматинская область, Райымбекский район, село Нарынкол | Алматы облысы, Райымбек ауданы, Нарынқол ауылы
Жетысуская область, Ескельдинский район, посёлок Карабулак | Жетісу облысы, Ескелді ауданы, Қарабұлақ кенті
Жетысуская область, Аксуский район, село Жансугуров | Жетісу облысы, Ақсу ауданы, Жансүгіров ауылы
Туркестанская область, Сайрамский район, село Аксукент | Түркістан облысы, Сайрам ауданы, Ақсукент ауылы
Туркестанская область, Толебийский район, город Ленгер | Түркістан облысы, Төлеби ауданы, Ленгір қаласы
Туркестанская область, Мактааральский район, посёлок Мырзакент | Түркістан облысы, Мақтаарал ауданы, Мырзакент кенті
Туркестанская область, Казыгуртский район, село Казыгурт | Түркістан облысы, Қазығұрт ауданы, Қазығұрт ауылы
Жамбылская область, Байзакский район, село Сарыкемер | Жамбыл облысы, Байзақ ауданы, Сарыкемер ауылы
Жамбылская область, Меркенский район, село Мерке | Жамбыл облысы, Меркі ауданы, Меркі ауылы
Жамбылская область, Кордайский район, село Кордай | Жамбыл облысы, Қордай ауданы, Қордай ауылы
Кызылординская область, Шиелийский район, посёлок Шиели | Қызылорда облысы, Шиелі ауданы, Шиелі кенті
Кызылординская область, Жалагашский район, посёлок Жалагаш | Қызылорда облысы, Жалағаш ауданы, Жалағаш кенті
Актюбинская область, Мартукский район, село Мартук | Ақтөбе облысы, Мәртөк ауданы, Мәртөк ауылы
Актюбинская область, Хромтауский район, город Хромтау | Ақтөбе облысы, Хромтау ауданы, Хромтау қаласы
Атырауская область, Махамбетский район, село Махамбет | Атырау облысы, Махамбет ауданы, Махамбет ауылы
Мангистауская область, Мунайлинский район, село Мангистау | Маңғыстау облысы, Мұнайлы ауданы, Маңғыстау ауылы
Западно-Казахстанская область, Бурлинский район, город Аксай | Батыс Қазақстан облысы, Бөрлі ауданы, Ақсай қаласы
Костанайская область, Костанайский район, посёлок Затобольск | Қостанай облысы, Қостанай ауданы, Затобол кенті
Акмолинская область, Целиноградский район, село Акмол | Ақмола облысы, Целиноград ауданы, Ақмол ауылы
Акмолинская область, Бурабайский район, город Щучинск | Ақмола облысы, Бурабай ауданы, Щучинск қаласы
Карагандинская область, Бухар-Жырауский район, посёлок Ботакара | Қарағанды облысы, Бұқар жырау ауданы, Ботақара кенті
Павлодарская область, Иртышский район, село Иртышск | Павлодар облысы, Ертіс ауданы, Ертіс ауылы
Северо-Казахстанская область, район Магжана Жумабаева, город Булаево | Солтүстік Қазақстан облысы, Мағжан Жұмабаев ауданы, Булаев қаласы
Восточно-Казахстанская область, Глубоковский район, посёлок Глубокое | Шығыс Қазақстан облысы, Глубокое ауданы, Глубокое кенті
Абайская область, Бескарагайский район, село Бескарагай | Абай облысы, Бесқарағай ауданы, Бесқарағай ауылы
Улытауская область, Улытауский район, село Улытау | Ұлытау облысы, Ұлытау ауданы, Ұлытау ауылы
`
	.trim()
	.split('\n')
	.map((line) => {
		const [ru = '', kk = ''] = line.split(' | ');
		return { ru: ru.split(', '), kk: kk.split(', ') };
	});

/** Street names common across the country: [Russian, Kazakh]. */
const STREETS: readonly [string, string][] = [
	['улица Абая', 'Абай көшесі'],
	['улица Кунаева', 'Қонаев көшесі'],
	['улица Толе би', 'Төле би көшесі'],
	['улица Жамбыла', 'Жамбыл көшесі'],
	['улица Байтурсынова', 'Байтұрсынұлы көшесі'],
	['улица Желтоксан', 'Желтоқсан көшесі'],
	['улица Абылай хана', 'Абылай хан көшесі'],
	['улица Сейфуллина', 'Сейфуллин көшесі'],
	['улица Наурызбай батыра', 'Наурызбай батыр көшесі'],
	['улица Школьная', 'Мектеп көшесі'],
	['улица Центральная', 'Орталық көшесі'],
	['улица Мира', 'Бейбітшілік көшесі']
];

/** Where the business runs, as people fill in "region, district, village, street, house". */
function address(rng: Rng, kazakh: boolean): string {
	const place = pick(rng, PLACES);
	const [street, streetKk] = pick(rng, STREETS);
	const house = int(rng, 1, 180);
	if (kazakh) {
		const flat = rng() < 0.3 ? `, ${int(rng, 1, 60)} пәтер` : '';
		return `${place.kk.join(', ')}, ${streetKk}, ${house} үй${flat}`;
	}
	const extra =
		rng() < 0.3 ? `, кв. ${int(rng, 1, 60)}` : rng() < 0.3 ? ', здание бывшего сельпо' : '';
	return `${place.ru.join(', ')}, ${street}, дом ${house}${extra}`;
}

// --- Businesses -------------------------------------------------------------------------

/** The service's own list, so a change to it cannot make the documents invalid. */
const ACTIVITIES = individualEntrepreneur.fields.flatMap((f) =>
	f.kind === 'choice' ? f.options.map((o) => o.value) : []
);

/** What people call a business of each activity: [Russian kind, Kazakh kind, names]. */
const BUSINESS_KINDS: Record<string, [string, string, readonly string[]]> = {
	retail: ['продуктовый магазин', 'азық-түлік дүкені', ['Береке', 'Жұлдыз', 'Айсұлу', 'Достық']],
	catering: ['кафе', 'дәмхана', ['Дастархан', 'Самал', 'Шаңырақ', 'Бауырсақ']],
	agriculture: ['фермерское хозяйство', 'шаруа қожалығы', ['Ақбидай', 'Алтын Дала', 'Жайлау']],
	transport: ['грузоперевозки', 'жүк тасымалы', ['Жол', 'Сапар', 'Керуен']],
	beauty: ['салон красоты', 'сұлулық салоны', ['Айару', 'Нұрай', 'Жасмин']],
	repair: ['ремонт бытовой техники', 'тұрмыстық техника жөндеу', ['Шебер', 'Мастер', 'Сервис']],
	tailoring: ['ателье', 'тігін ательесі', ['Көйлек', 'Шебер қолдар', 'Ине']],
	construction: ['строительство и ремонт', 'құрылыс және жөндеу', ['Құрылыс-Сервис', 'Үй']],
	tutoring: ['учебный центр', 'оқу орталығы', ['Білім', 'Зерде', 'Ұстаз']],
	it: ['IT-услуги', 'IT қызметтері', ['Digital Dala', 'Код', 'Smart Aul']]
};

function businessName(rng: Rng, activity: string, surname: string, kazakh: boolean): string {
	const [kindRu, kindKk, names] = BUSINESS_KINDS[activity] ?? ['', '', ['']];
	const brand = pick(rng, names);
	// A third write only the surname, as the registry shows it; the rest add what they run.
	if (rng() < 0.35) return kazakh ? `ЖК «${surname}»` : `ИП «${surname}»`;
	return kazakh
		? `ЖК «${surname}» — ${kindKk} «${brand}»`
		: `ИП «${surname}» — ${kindRu} «${brand}»`;
}

// --- Phones -----------------------------------------------------------------------------

const MOBILE_CODES = words('700 701 702 705 707 708 747 771 775 776 777 778');

/** A mobile number in one of the shapes people type: +7 701 …, 8 (701) …, 8701…. */
function phone(rng: Rng): string {
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

/** The answers of application number `index`: the same index gives the same answers. */
export function applicationAnswers(index: number): TypedAnswers {
	const rng = random(0x1e5 + index * 7919);
	const kazakhName = rng() < 0.7;
	const person = kazakhName ? kazakhPerson(rng) : russianPerson(rng);
	// About a third of Kazakh speakers fill the form in Kazakh.
	const kazakhText = kazakhName && rng() < 0.35;
	const activity = pick(rng, ACTIVITIES);
	const iin = iinFor(rng, person.female);
	return {
		// Some copy the IIN from the ID card with the space it is printed with.
		iin: rng() < 0.2 ? `${iin.slice(0, 6)} ${iin.slice(6)}` : iin,
		fullName: person.fullName,
		businessName: businessName(rng, activity, person.surname, kazakhText),
		activity,
		address: address(rng, kazakhText),
		phone: phone(rng)
	};
}

/**
 * The answers as the app queues them: the form validates and normalizes with the shared
 * rules before the outbox takes them (app/lib/db/outbox.ts), so a device pushes these, and
 * they are what the server stores.
 */
export function asQueued(answers: TypedAnswers): Answers {
	const result = validateAnswers(individualEntrepreneur, answers);
	if (!result.ok) throw new Error(`generated answers are invalid: ${JSON.stringify(result)}`);
	return result.answers;
}
