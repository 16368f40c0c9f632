/**
 * Realistic applications as a kiosk receives them, in the mix it sees: mostly birth
 * registrations and registrations as an individual entrepreneur, some simplified tax
 * declarations, each on the version of the service the catalogue offers now. The answers
 * are what people type into the form: Kazakh and Russian names, IINs that pass the check
 * digit and agree with the birth date and sex, real regions, districts and villages,
 * business names that fit the activity, phones in the shapes people write them.
 * Deterministic per index, so every system under test is fed the very same documents.
 *
 * Only the fields the services ask for are filled: the server drops any other key, so
 * padding a document with free text to reach a size would measure bytes nobody stores.
 */
import { addDays } from '../../shared/dates';
import { formatTenge, parseTiyn } from '../../shared/money';
import { birthRegistration } from '../../shared/services/birth-registration';
import type { ServiceDefinition } from '../../shared/services/definition';
import { individualEntrepreneurV2 } from '../../shared/services/individual-entrepreneur';
import { simplifiedTaxDeclaration } from '../../shared/services/simplified-tax-declaration';
import { validateAnswers, type Answers } from '../../shared/services/validate';
import { simplifiedTax } from '../../shared/tax/rates';
import { iinCheckDigit } from '../../shared/iin';
import { decideByRule, registrationHolder } from '../../shared/services/automatic-rules';
import {
	adult,
	childName,
	familySurname,
	iinFor,
	int,
	manName,
	patronymic,
	phone,
	pick,
	random,
	surnameOf,
	typedIin,
	type Naming,
	type Rng
} from './people';
import { addressAnswers, settlementAnswers, somePlace } from './places';

/** Answers as a person typed them (the server trims and normalizes them). */
export type TypedAnswers = Record<string, string>;

/** One application as typed: the service (and version) it is for, and its answers. */
export interface TypedApplication {
	service: ServiceDefinition;
	answers: TypedAnswers;
}

/**
 * The day the documents are made as of: dates are drawn before it (or, for a business
 * start, up to a month after), so every document stays valid on any later day and the
 * same index gives the same answers whenever the benchmark runs.
 */
const AS_OF = '2026-11-26';

/** The services in the mix, with the share of applications each takes. */
export const MIX: readonly { service: ServiceDefinition; share: number }[] = [
	{ service: birthRegistration, share: 0.45 },
	{ service: individualEntrepreneurV2, share: 0.4 },
	{ service: simplifiedTaxDeclaration, share: 0.15 }
];

/** A date as the form takes it: mostly from the date picker (ISO), some typed dd.mm.yyyy. */
function typedDate(rng: Rng, iso: string): string {
	if (rng() < 0.8) return iso;
	const [y, m, d] = iso.split('-');
	return `${d}.${m}.${y}`;
}

/** An amount as people type it: 4850000 or 4 850 000. */
function typedTenge(rng: Rng, canonical: string): string {
	return rng() < 0.5 ? canonical : canonical.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Kazakh naming for about three in four people, Russian for the rest. */
const naming = (rng: Rng): Naming => (rng() < 0.75 ? 'kazakh' : 'russian');

// --- Birth registration -----------------------------------------------------------------

/**
 * A birth as the registry office records it: a child born in the last two months, in a
 * place with a maternity hospital; parents of one family's naming, most of them married.
 */
function birth(rng: Rng): TypedAnswers {
	const names = naming(rng);
	const kazakhText = names === 'kazakh' && rng() < 0.4;
	const family = familySurname(rng, names);
	const basis = rng() < 0.82 ? 'marriage' : rng() < 0.5 ? 'paternity' : 'mother';
	// Many married women keep their own surname; a mother on her own gives the child hers.
	const mothersOwn = basis === 'mother' || rng() < 0.4;
	const motherSurname = mothersOwn ? familySurname(rng, names) : family;
	const childSurname = basis === 'mother' ? motherSurname : family;
	const mother = adult(rng, names, true, motherSurname);
	const fatherName = manName(rng, names);
	const female = rng() < 0.49;
	const born = addDays(AS_OF, -int(rng, 1, 60));
	const place = somePlace(rng);
	const informant = pick(rng, ['mother', 'mother', 'mother', 'father', 'father', 'other']);

	const answers: TypedAnswers = {
		childSurname: surnameOf(childSurname, female),
		childGivenName: childName(rng, names, female),
		childSex: female ? 'female' : 'male',
		childBirthDate: typedDate(rng, born),
		...settlementAnswers('birthPlace', place, kazakhText),
		medicalRecordNumber: String(int(rng, 100_000_000, 999_999_999)),
		motherIin: typedIin(rng, iinFor(rng, true, 1984, 2005)),
		motherSurname: mother.surname,
		motherGivenName: mother.givenName,
		fatherBasis: basis,
		fatherSurname: surnameOf(basis === 'mother' ? motherSurname : family, false),
		fatherGivenName: fatherName,
		informant,
		phone: phone(rng)
	};
	// The hospital's BIN is printed on the medical record; some leave it out.
	if (rng() < 0.7) answers.medicalOrgBin = place.hospitalBin;
	if (rng() < 0.9) answers.motherPatronymic = mother.patronymic;
	if (basis !== 'mother') answers.fatherIin = typedIin(rng, iinFor(rng, false, 1978, 2004));
	if (rng() < 0.9) answers.fatherPatronymic = patronymic(rng, manName(rng, names), false);
	if (basis !== 'mother' || rng() < 0.5) {
		answers.childPatronymic = patronymic(rng, fatherName, female);
	}
	if (informant === 'other') {
		// Most often a grandmother, who brings the papers while the mother is still at home.
		const grandmother = adult(rng, names, true, family);
		answers.informantIin = typedIin(rng, iinFor(rng, true, 1955, 1975));
		answers.informantName = grandmother.fullName;
	}
	return answers;
}

// --- Individual entrepreneur ------------------------------------------------------------

/** The service's own list, so a change to it cannot make the documents invalid. */
const choices = (service: ServiceDefinition, name: string) =>
	service.fields.flatMap((f) =>
		f.name === name && f.kind === 'choice' ? f.options.map((o) => o.value) : []
	);
const ACTIVITIES = choices(individualEntrepreneurV2, 'activity');

/**
 * How often each activity is registered, out of 100: mostly the small shops, repairs,
 * tailors, tutors and IT freelancers that make most new sole traders, so about 87 % are of
 * the service's low-risk list and notified without a reviewer. With the 15 % of tax
 * declarations the rule accepts, about half the mix is decided by rule on the push (docs/
 * benchmarks.md, issue 23). An activity the catalogue adds later gets a weight of 1.
 */
const ACTIVITY_WEIGHTS: Record<string, number> = {
	retail: 30,
	it: 20,
	tutoring: 15,
	repair: 12,
	tailoring: 10,
	catering: 5,
	beauty: 4,
	transport: 2,
	agriculture: 1,
	construction: 1
};

/** An activity by its weight, with one draw (as `pick` makes), so the stream after it stays. */
function weightedActivity(rng: Rng): string {
	const weights = ACTIVITIES.map((a) => ACTIVITY_WEIGHTS[a] ?? 1);
	let draw = rng() * weights.reduce((total, w) => total + w, 0);
	for (const [i, activity] of ACTIVITIES.entries()) {
		if ((draw -= weights[i]!) < 0) return activity;
	}
	return ACTIVITIES[ACTIVITIES.length - 1]!;
}

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

function tradeName(rng: Rng, activity: string, surname: string, kazakh: boolean): string {
	const [kindRu, kindKk, names] = BUSINESS_KINDS[activity] ?? ['', '', ['']];
	const brand = pick(rng, names);
	// A third write only the surname, as the registry shows it; the rest add what they run.
	if (rng() < 0.35) return kazakh ? `ЖК «${surname}»` : `ИП «${surname}»`;
	return kazakh
		? `ЖК «${surname}» — ${kindKk} «${brand}»`
		: `ИП «${surname}» — ${kindRu} «${brand}»`;
}

/** Someone old enough to run a business. */
function entrepreneur(rng: Rng) {
	const names = naming(rng);
	const person = adult(rng, names, rng() < 0.5);
	return { person, names, iin: iinFor(rng, person.female, 1962, 2005) };
}

function entrepreneurRegistration(rng: Rng): TypedAnswers {
	const { person, names, iin } = entrepreneur(rng);
	// About a third of those with Kazakh names fill the form in Kazakh.
	const kazakhText = names === 'kazakh' && rng() < 0.35;
	const activity = weightedActivity(rng);
	const regime = rng() < 0.85 ? 'simplified' : rng() < 0.5 ? 'retail' : 'general';
	return {
		iin: typedIin(rng, iin),
		fullName: person.fullName,
		phone: phone(rng),
		tradeName: tradeName(rng, activity, person.surname, kazakhText),
		activity,
		taxRegime: regime,
		startDate: typedDate(rng, addDays(AS_OF, int(rng, -20, 30))),
		...addressAnswers(rng, 'businessAddress', somePlace(rng), kazakhText)
	};
}

// --- Simplified tax declaration ---------------------------------------------------------

/** The half-years over by AS_OF that the tax table has rates for: [year, half]. */
const PERIODS: readonly [number, number][] = [
	[2025, 1],
	[2025, 2],
	[2026, 1],
	[2026, 1]
];

/** A half-year's declaration with the tax the device works out as the person types. */
function taxDeclaration(rng: Rng): TypedAnswers {
	const { person, iin } = entrepreneur(rng);
	const [year, half] = pick(rng, PERIODS);
	// A few had no income that half-year; most of the rest a few million tenge.
	const income = rng() < 0.06 ? 0 : int(rng, 300, 30_000) * 1000;
	const employees = rng() < 0.6 ? 0 : int(rng, 1, 6);
	const payroll = employees * int(rng, 85, 250) * 1000 * 6;
	const canonical = (n: number) => formatTenge(parseTiyn(String(n))!);
	const tax = simplifiedTax(year, canonical(income), canonical(payroll));
	if (!tax) throw new Error(`no tax rates for ${year}`);
	const answers: TypedAnswers = {
		iin: typedIin(rng, iin),
		fullName: person.fullName,
		year: String(year),
		half: String(half),
		income: typedTenge(rng, canonical(income)),
		employees: String(employees),
		incomeTax: tax.incomeTax,
		socialTax: tax.socialTax,
		taxDue: tax.total
	};
	if (employees > 0) answers.payroll = typedTenge(rng, canonical(payroll));
	return answers;
}

const GENERATORS = new Map<ServiceDefinition, (rng: Rng) => TypedAnswers>([
	[birthRegistration, birth],
	[individualEntrepreneurV2, entrepreneurRegistration],
	[simplifiedTaxDeclaration, taxDeclaration]
]);

/** Application number `index`: the same index gives the same service and answers. */
export function application(index: number): TypedApplication {
	const rng = random(0x1e5 + index * 7919);
	let draw = rng();
	const { service } = MIX.find((m) => (draw -= m.share) < 0) ?? MIX[MIX.length - 1]!;
	const generate = GENERATORS.get(service);
	if (!generate) throw new Error(`no generator for ${service.id}`);
	return { service, answers: generate(rng) };
}

/**
 * The same application from another applicant of the same birth date and sex: for a service
 * whose rule reads the applicant's other registrations (registrationHolder), the IIN gets
 * another serial and check digit, typed the same way; everything else, every byte count
 * included, stays. A benchmark that pushes the same answers again as new applications
 * passes each round a new `generation` (0 leaves them as they are): a second registration
 * of one IIN goes to a reviewer, so without this only the first round would be decided by
 * rule. Deterministic per application and generation.
 */
export function fromAnotherApplicant(
	application: TypedApplication,
	generation: number
): TypedApplication {
	const field = registrationHolder(application.service);
	const typed = field && application.answers[field];
	if (!field || !typed || generation === 0) return application;
	const iin = typed.replace(' ', '');
	let seed = Math.imul(generation, 0x9e3779b1);
	for (const digit of iin) seed = Math.imul(seed ^ digit.charCodeAt(0), 0x01000193);
	const rng = random(seed);
	for (;;) {
		const first11 = iin.slice(0, 7) + String(int(rng, 0, 9999)).padStart(4, '0');
		const check = iinCheckDigit(first11);
		if (check === null || first11 === iin.slice(0, 11)) continue;
		const other = first11 + check;
		const answers = {
			...application.answers,
			[field]: typed.includes(' ') ? `${other.slice(0, 6)} ${other.slice(6)}` : other
		};
		return { service: application.service, answers };
	}
}

/**
 * The answers as the app queues them: the form validates and normalizes with the shared
 * rules before the outbox takes them (app/lib/drafts/submit-draft.ts), so a device pushes these, and
 * they are what the server stores.
 */
export function asQueued(application: TypedApplication): Answers {
	const result = validateAnswers(application.service, application.answers);
	if (!result.ok) {
		throw new Error(
			`generated ${application.service.id} answers are invalid: ${JSON.stringify(result)} ` +
				JSON.stringify(application.answers)
		);
	}
	return result.answers;
}

/**
 * Whether no rule decides this application on the push, whoever sent it before: a birth
 * (decided by people), or a registration whose activity needs an inspection. What a rule
 * approves cannot be put in review, so the catch-up (catch-up.ts) takes only these.
 */
export function leftToPerson(application: TypedApplication): boolean {
	const outcome = decideByRule(application.service, asQueued(application), {
		openRegistration: false
	});
	return outcome.decision !== 'approve';
}
