/**
 * Real places as the address fields of a service take them (shared/services/address.ts):
 * the region as the service's choice, then district, town or village, street and house as
 * people type them, in Russian or in Kazakh.
 */
import { iinCheckDigit } from '../../shared/iin';
import { REGIONS } from '../../shared/services/address';
import { int, pick, random, type Rng } from './people';

/**
 * Real places, one a line: region, district and settlement in Russian | the same in
 * Kazakh. A city of republican significance has no district: its region is the city.
 */
const PLACE_LINES = `
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
город Шымкент, город Шымкент | Шымкент қаласы, Шымкент қаласы
город Алматы, город Алматы | Алматы қаласы, Алматы қаласы
город Астана, город Астана | Астана қаласы, Астана қаласы
`;

interface PlaceNames {
	district: string;
	settlement: string;
}

export interface Place {
	/** The region as the address field's choice stores it (`REGIONS`). */
	region: string;
	ru: PlaceNames;
	kk: PlaceNames;
	/** The BIN of the place's maternity hospital (a legal entity registered there). */
	hospitalBin: string;
}

function names(parts: readonly string[]): PlaceNames {
	return parts.length === 3
		? { district: parts[1]!, settlement: parts[2]! }
		: { district: '', settlement: parts[1]! };
}

/**
 * A BIN as the register gives it to a legal entity: registration year and month, 4 for a
 * resident legal entity, 0 for a head office, a serial and the IIN's check digit.
 */
function binFor(rng: Rng): string {
	const yymm = String(int(rng, 0, 15)).padStart(2, '0') + String(int(rng, 1, 12)).padStart(2, '0');
	for (;;) {
		const first11 = `${yymm}40${String(int(rng, 0, 99999)).padStart(5, '0')}`;
		const check = iinCheckDigit(first11);
		if (check !== null) return first11 + check;
	}
}

export const PLACES: readonly Place[] = PLACE_LINES.trim()
	.split('\n')
	.map((line, i) => {
		const [ru = [], kk = []] = line.split(' | ').map((side) => side.split(', '));
		const region = REGIONS.find((r) => r.label.ru === ru[0])?.value;
		if (!region) throw new Error(`no region ${ru[0]} in shared/services/address.ts`);
		return { region, ru: names(ru), kk: names(kk), hospitalBin: binFor(random(0xb1 + i)) };
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
	['улица Мира', 'Бейбітшілік көшесі'],
	['проспект Независимости', 'Тәуелсіздік даңғылы'],
	['микрорайон Самал', 'Самал шағын ауданы']
];

/** A place: mostly villages and district towns, where kiosks stand; some cities. */
export const somePlace = (rng: Rng): Place => pick(rng, PLACES);

/**
 * The parts of an address field named `field` with house precision, as typed in Russian or
 * in Kazakh (`field.region`, `field.district`, …); no district in a city.
 */
export function addressAnswers(
	rng: Rng,
	field: string,
	place: Place,
	kazakh: boolean
): Record<string, string> {
	const [streetRu, streetKk] = pick(rng, STREETS);
	const house = String(int(rng, 1, 180)) + (rng() < 0.1 ? pick(rng, ['А', 'Б', '/1', '/2']) : '');
	const answers: Record<string, string> = {
		...settlementAnswers(field, place, kazakh),
		[`${field}.street`]: kazakh ? streetKk : streetRu,
		[`${field}.house`]: house
	};
	if (rng() < 0.3) {
		const n = int(rng, 1, 60);
		answers[`${field}.flat`] = rng() < 0.7 ? String(n) : kazakh ? `${n} кеңсе` : `офис ${n}`;
	}
	return answers;
}

/** The parts of an address field with settlement precision: region, district, place. */
export function settlementAnswers(
	field: string,
	place: Place,
	kazakh: boolean
): Record<string, string> {
	const text = kazakh ? place.kk : place.ru;
	return {
		[`${field}.region`]: place.region,
		...(text.district ? { [`${field}.district`]: text.district } : {}),
		[`${field}.settlement`]: text.settlement
	};
}
