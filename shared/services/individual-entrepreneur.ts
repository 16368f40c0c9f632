import { applicantFullName, applicantIin, contactPhone } from './applicant-fields';
import type { ChoiceOption, FieldDefinition } from './definition';
import { defineService } from './definition';

const TITLE = {
	en: 'Register as an individual entrepreneur',
	ru: 'Регистрация индивидуального предпринимателя',
	kk: 'Жеке кәсіпкер ретінде тіркелу'
};
const SUMMARY = {
	en: 'Start a small business in your own name. Takes about 5 minutes.',
	ru: 'Начните своё дело от своего имени. Займёт около 5 минут.',
	kk: 'Өз атыңыздан шағын бизнес бастаңыз. Шамамен 5 минут алады.'
};
const HELP = {
	en: 'This is the notification of the start of business as an individual entrepreneur. It is free. You can start work once it is accepted.',
	ru: 'Это уведомление о начале деятельности в качестве индивидуального предпринимателя. Услуга бесплатная. Начать работу можно после принятия уведомления.',
	kk: 'Бұл — жеке кәсіпкер ретінде қызметті бастау туралы хабарлама. Қызмет тегін. Хабарлама қабылданғаннан кейін жұмысты бастауға болады.'
};
const ELIGIBILITY = {
	applicant: 'individual',
	text: {
		en: 'Citizens of Kazakhstan and foreigners with a residence permit, aged 18 or over (16 with a parent’s consent).',
		ru: 'Граждане Казахстана и иностранцы с видом на жительство с 18 лет (с 16 лет — с согласия родителей).',
		kk: 'Қазақстан азаматтары және тұруға ықтиярхаты бар шетелдіктер, 18 жастан бастап (16 жастан — ата-анасының келісімімен).'
	}
} as const;
const ISSUES = {
	kind: 'receipt',
	name: {
		en: 'Acknowledgement of the notification of the start of business',
		ru: 'Талон о приёме уведомления о начале деятельности',
		kk: 'Қызметті бастау туралы хабарламаны қабылдау талоны'
	}
} as const;

/** Version 1's questions, exactly as the first devices asked them. */
const V1_FIELDS: readonly FieldDefinition[] = [
	applicantIin,
	applicantFullName,
	{
		name: 'businessName',
		kind: 'text',
		required: true,
		maxLength: 100,
		label: { en: 'Business name', ru: 'Наименование ИП', kk: 'ЖК атауы' },
		hint: {
			en: 'For example, “IE Seitkali” or a shop name',
			ru: 'Например, «ИП Сейткали» или название магазина',
			kk: 'Мысалы, «ЖК Сейтқали» немесе дүкен атауы'
		}
	},
	{
		name: 'activity',
		kind: 'choice',
		required: true,
		label: { en: 'Type of activity', ru: 'Вид деятельности', kk: 'Қызмет түрі' },
		options: [
			{
				value: 'retail',
				label: { en: 'Retail trade', ru: 'Розничная торговля', kk: 'Бөлшек сауда' }
			},
			{
				value: 'catering',
				label: { en: 'Café or catering', ru: 'Кафе, общепит', kk: 'Кафе, қоғамдық тамақтану' }
			},
			{
				value: 'agriculture',
				label: {
					en: 'Farming and livestock',
					ru: 'Сельское хозяйство и животноводство',
					kk: 'Ауыл шаруашылығы және мал шаруашылығы'
				}
			},
			{
				value: 'transport',
				label: {
					en: 'Passenger or freight transport',
					ru: 'Пассажирские или грузовые перевозки',
					kk: 'Жолаушы немесе жүк тасымалы'
				}
			},
			{
				value: 'beauty',
				label: {
					en: 'Hairdressing and beauty',
					ru: 'Парикмахерские и салоны красоты',
					kk: 'Шаштараз және сұлулық салоны'
				}
			},
			{
				value: 'repair',
				label: {
					en: 'Repair of household goods',
					ru: 'Ремонт бытовых товаров',
					kk: 'Тұрмыстық заттарды жөндеу'
				}
			},
			{
				value: 'tailoring',
				label: { en: 'Tailoring', ru: 'Пошив одежды', kk: 'Тігін ісі' }
			},
			{
				value: 'construction',
				label: {
					en: 'Construction and renovation',
					ru: 'Строительство и ремонт',
					kk: 'Құрылыс және жөндеу'
				}
			},
			{
				value: 'tutoring',
				label: {
					en: 'Tutoring and courses',
					ru: 'Репетиторство и курсы',
					kk: 'Репетиторлық және курстар'
				}
			},
			{
				value: 'it',
				label: { en: 'IT services', ru: 'IT-услуги', kk: 'IT қызметтері' }
			}
		]
	},
	{
		name: 'address',
		kind: 'text',
		required: true,
		maxLength: 300,
		multiline: true,
		autocomplete: 'street-address',
		label: {
			en: 'Business address',
			ru: 'Адрес ведения деятельности',
			kk: 'Қызмет жүргізу мекенжайы'
		},
		hint: {
			en: 'Region, district, village or town, street and house',
			ru: 'Область, район, село или город, улица и дом',
			kk: 'Облыс, аудан, ауыл немесе қала, көше және үй'
		}
	},
	contactPhone
];

function v1(name: string): FieldDefinition {
	const field = V1_FIELDS.find((f) => f.name === name);
	if (!field) throw new Error(`version 1 has no field ${name}`);
	return field;
}

/** Notification of the start of business as an individual entrepreneur (low risk). */
export const individualEntrepreneur = defineService({
	id: 'individual-entrepreneur',
	version: 1,
	// Still accepted: devices made before version 2 queue answers in this shape.
	supported: true,
	title: TITLE,
	summary: SUMMARY,
	help: HELP,
	eligibility: ELIGIBILITY,
	steps: [
		{
			id: 'application',
			title: { en: 'Your application', ru: 'Ваше заявление', kk: 'Сіздің өтінішіңіз' },
			fields: V1_FIELDS
		}
	],
	rules: [],
	fee: null,
	processing: { kind: 'review' },
	issues: ISSUES
	// No `region`: the address is free text, so these go to the national queue.
});

const TAX_REGIMES: readonly ChoiceOption[] = [
	{
		value: 'simplified',
		label: {
			en: 'Simplified declaration (form 910)',
			ru: 'Упрощённая декларация (форма 910)',
			kk: 'Оңайлатылған декларация (910 нысан)'
		}
	},
	{
		value: 'general',
		label: { en: 'General procedure', ru: 'Общеустановленный режим', kk: 'Жалпыға бірдей тәртіп' }
	},
	{
		value: 'retail',
		label: {
			en: 'Retail tax',
			ru: 'Специальный налоговый режим розничного налога',
			kk: 'Бөлшек салықтың арнаулы салық режимі'
		}
	}
];

/**
 * Version 2: the questions in the steps the register's own form has, the address as parts
 * the office can route by, the tax regime and the start date. Answers made on version 1
 * carry over by the migration below; the person is asked only for what is new.
 */
export const individualEntrepreneurV2 = defineService({
	id: 'individual-entrepreneur',
	version: 2,
	supported: true,
	title: TITLE,
	summary: SUMMARY,
	help: HELP,
	eligibility: ELIGIBILITY,
	steps: [
		{
			id: 'applicant',
			title: { en: 'About you', ru: 'О вас', kk: 'Сіз туралы' },
			fields: [v1('iin'), v1('fullName'), v1('phone')]
		},
		{
			id: 'business',
			title: { en: 'Your business', ru: 'Ваше дело', kk: 'Сіздің кәсібіңіз' },
			fields: [
				// The register calls it the trade name; version 1 stored it as businessName.
				{ ...v1('businessName'), name: 'tradeName' },
				v1('activity'),
				{
					name: 'taxRegime',
					kind: 'choice',
					required: true,
					label: { en: 'Tax regime', ru: 'Налоговый режим', kk: 'Салық режимі' },
					hint: {
						en: 'Most small businesses choose the simplified declaration',
						ru: 'Большинство малых предприятий выбирают упрощённую декларацию',
						kk: 'Шағын бизнестің көбі оңайлатылған декларацияны таңдайды'
					},
					options: TAX_REGIMES
				},
				{
					name: 'startDate',
					kind: 'date',
					required: true,
					label: {
						en: 'Date you start business',
						ru: 'Дата начала деятельности',
						kk: 'Қызметті бастау күні'
					},
					hint: {
						en: 'Today, a past date, or up to 90 days ahead',
						ru: 'Сегодня, прошедшая дата или не позднее чем через 90 дней',
						kk: 'Бүгін, өткен күн немесе 90 күннен кешіктірмей'
					},
					min: { date: '1991-12-16' },
					max: { daysFromToday: 90 }
				}
			]
		},
		{
			id: 'place',
			title: { en: 'Where you work', ru: 'Где вы работаете', kk: 'Қай жерде жұмыс істейсіз' },
			fields: [
				{
					name: 'businessAddress',
					kind: 'address',
					precision: 'house',
					required: true,
					label: v1('address').label
				}
			]
		}
	],
	rules: [],
	fee: null,
	// Registered on arrival when the activity needs no prior inspection (the low-risk
	// activities of the Entrepreneurial Code's risk table) and the person has no other
	// registration open; anything else an officer decides.
	processing: {
		kind: 'automatic',
		rule: 'lowRiskNotification',
		activity: 'activity',
		applicant: 'iin',
		lowRisk: ['retail', 'repair', 'tailoring', 'tutoring', 'it']
	},
	issues: ISSUES,
	// The tax office where the business is carried on receives the notification.
	region: 'businessAddress.region',
	migration: {
		from: 1,
		carry: {
			iin: 'iin',
			fullName: 'fullName',
			phone: 'phone',
			businessName: 'tradeName',
			activity: 'activity'
		},
		// The free-text address names its region often enough to keep it; street and house
		// are asked again as parts, since splitting free text would put words in wrong places.
		transform: [{ rule: 'regionFromText', from: 'address', to: 'businessAddress.region' }],
		dropped: []
	}
});
