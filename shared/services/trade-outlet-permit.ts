import { MAX_FILE_BYTES } from '../files';
import { applicantFullName, applicantIin, contactPhone } from './applicant-fields';
import { defineService, type PhotoField } from './definition';

/**
 * The photos are re-encoded on the device (app/lib/files/prepare.ts) into a JPEG of about
 * 200 KB whatever the camera gave, so JPEG is what arrives; the limit is the server's own,
 * so a photo the field accepts is never one the upload refuses for its size.
 */
const photo = (
	field: Omit<PhotoField, 'kind' | 'accept' | 'maxBytes' | 'required'>
): PhotoField => ({
	...field,
	kind: 'photo',
	required: true,
	accept: ['image/jpeg'],
	maxBytes: MAX_FILE_BYTES
});

/**
 * A permit from the akimat to place a non-stationary trade outlet (a kiosk, a pavilion, a
 * stall, a mobile shop) at a site the akimat has set aside for trade. An officer checks
 * that the site is on the akimat's list and the outlet fits it, then issues the permit
 * for the period asked.
 */
export const tradeOutletPermit = defineService({
	id: 'trade-outlet-permit',
	version: 1,
	supported: true,
	title: {
		en: 'Permit to place a kiosk or stall',
		ru: 'Разрешение на размещение нестационарного торгового объекта',
		kk: 'Стационарлық емес сауда объектісін орналастыруға рұқсат'
	},
	summary: {
		en: 'For a kiosk, pavilion, stall or mobile shop at a trading site of the akimat. Takes about 10 minutes.',
		ru: 'Для киоска, павильона, палатки или автолавки в месте торговли, определённом акиматом. Займёт около 10 минут.',
		kk: 'Әкімдік белгілеген сауда орнындағы дүңгіршекке, павильонға, шатырға немесе автодүкенге. Шамамен 10 минут алады.'
	},
	help: {
		en: 'The permit is free. You will need your ID card and a photo of the site, or a plan showing where the outlet will stand. An officer of the akimat checks that the site is set aside for trade and decides within 5 working days.',
		ru: 'Разрешение выдаётся бесплатно. Понадобятся удостоверение личности и фотография места либо схема, на которой видно, где будет стоять объект. Сотрудник акимата проверит, что место определено для торговли, и примет решение в течение 5 рабочих дней.',
		kk: 'Рұқсат тегін беріледі. Жеке куәлік және орынның фотосуреті немесе объект тұратын жер көрсетілген сызба қажет. Әкімдік қызметкері орынның сауда үшін белгіленгенін тексеріп, 5 жұмыс күні ішінде шешім қабылдайды.'
	},
	eligibility: {
		applicant: 'entrepreneur',
		text: {
			en: 'Individual entrepreneurs and companies registered in Kazakhstan, through their head or a person they have authorised.',
			ru: 'Индивидуальные предприниматели и юридические лица, зарегистрированные в Казахстане, — лично или через уполномоченного представителя.',
			kk: 'Қазақстанда тіркелген жеке кәсіпкерлер мен заңды тұлғалар — өзі немесе уәкілетті өкілі арқылы.'
		}
	},
	steps: [
		{
			id: 'applicant',
			title: { en: 'About you', ru: 'О вас', kk: 'Сіз туралы' },
			fields: [applicantIin, applicantFullName, contactPhone]
		},
		{
			id: 'business',
			title: { en: 'Your business', ru: 'Ваш бизнес', kk: 'Сіздің кәсібіңіз' },
			fields: [
				{
					name: 'businessForm',
					kind: 'choice',
					required: true,
					label: {
						en: 'Who is the permit for?',
						ru: 'На кого оформляется разрешение?',
						kk: 'Рұқсат кімге рәсімделеді?'
					},
					options: [
						{
							value: 'entrepreneur',
							label: {
								en: 'Me, as an individual entrepreneur',
								ru: 'На меня как индивидуального предпринимателя',
								kk: 'Маған, жеке кәсіпкер ретінде'
							}
						},
						{
							value: 'company',
							label: {
								en: 'A company (for example, an LLP)',
								ru: 'На юридическое лицо (например, ТОО)',
								kk: 'Заңды тұлғаға (мысалы, ЖШС)'
							}
						}
					]
				},
				{
					name: 'companyBin',
					kind: 'bin',
					required: false,
					label: { en: 'Company BIN', ru: 'БИН организации', kk: 'Ұйымның БСН' },
					hint: {
						en: 'Only for a company: 12 digits. An individual entrepreneur is registered under their IIN, which you have already given',
						ru: 'Только для юридического лица: 12 цифр. Индивидуальный предприниматель зарегистрирован по своему ИИН, который вы уже указали',
						kk: 'Тек заңды тұлға үшін: 12 сан. Жеке кәсіпкер өз ЖСН бойынша тіркелген, оны сіз жоғарыда көрсеттіңіз'
					}
				},
				{
					name: 'businessName',
					kind: 'text',
					required: true,
					maxLength: 100,
					label: { en: 'Business name', ru: 'Наименование', kk: 'Атауы' },
					hint: {
						en: 'As registered, for example “IE Seitkali” or “Dala Trade LLP”',
						ru: 'Как при регистрации, например «ИП Сейткали» или «ТОО Дала Трейд»',
						kk: 'Тіркелгендегідей, мысалы «ЖК Сейтқали» немесе «Дала Трейд ЖШС»'
					}
				}
			]
		},
		{
			id: 'outlet',
			title: { en: 'The outlet', ru: 'Торговый объект', kk: 'Сауда объектісі' },
			fields: [
				{
					name: 'outletType',
					kind: 'choice',
					required: true,
					label: { en: 'Type of outlet', ru: 'Вид объекта', kk: 'Объектінің түрі' },
					options: [
						{ value: 'kiosk', label: { en: 'Kiosk', ru: 'Киоск', kk: 'Дүңгіршек' } },
						{ value: 'pavilion', label: { en: 'Pavilion', ru: 'Павильон', kk: 'Павильон' } },
						{
							value: 'stall',
							label: {
								en: 'Stall or tent',
								ru: 'Палатка или лоток',
								kk: 'Шатыр немесе сөре'
							}
						},
						{
							value: 'mobile',
							label: {
								en: 'Mobile shop (van or trailer)',
								ru: 'Автолавка или торговый прицеп',
								kk: 'Автодүкен немесе сауда тіркемесі'
							}
						},
						{
							value: 'cart',
							label: {
								en: 'Cart or vending stand',
								ru: 'Тележка или торговая стойка',
								kk: 'Сауда арбасы немесе сөресі'
							}
						}
					]
				},
				{
					name: 'goods',
					kind: 'choice',
					required: true,
					label: { en: 'What you will sell', ru: 'Что вы будете продавать', kk: 'Не сатасыз' },
					hint: {
						en: 'The main goods. Alcohol and tobacco cannot be sold from these outlets',
						ru: 'Основные товары. Алкоголь и табак в таких объектах продавать нельзя',
						kk: 'Негізгі тауарлар. Мұндай объектілерде алкоголь мен темекі сатуға болмайды'
					},
					options: [
						{
							value: 'food',
							label: { en: 'Food', ru: 'Продукты питания', kk: 'Азық-түлік' }
						},
						{
							value: 'produce',
							label: {
								en: 'Fruit and vegetables',
								ru: 'Овощи и фрукты',
								kk: 'Көкөніс пен жеміс-жидек'
							}
						},
						{
							value: 'drinks',
							label: {
								en: 'Ice cream and soft drinks',
								ru: 'Мороженое и прохладительные напитки',
								kk: 'Балмұздақ және салқын сусындар'
							}
						},
						{
							value: 'press',
							label: {
								en: 'Newspapers, books and stationery',
								ru: 'Печатная продукция и канцтовары',
								kk: 'Баспа өнімдері мен кеңсе тауарлары'
							}
						},
						{ value: 'flowers', label: { en: 'Flowers', ru: 'Цветы', kk: 'Гүлдер' } },
						{
							value: 'non-food',
							label: {
								en: 'Other non-food goods',
								ru: 'Прочие непродовольственные товары',
								kk: 'Басқа азық-түлікке жатпайтын тауарлар'
							}
						}
					]
				},
				{
					name: 'area',
					kind: 'number',
					required: true,
					min: 1,
					max: 100,
					label: {
						en: 'Area of the outlet, in m²',
						ru: 'Площадь объекта, м²',
						kk: 'Объектінің ауданы, м²'
					},
					hint: {
						en: 'A whole number of square metres, for example 6',
						ru: 'Целое число квадратных метров, например 6',
						kk: 'Шаршы метрдің бүтін саны, мысалы 6'
					}
				}
			]
		},
		{
			id: 'site',
			title: { en: 'Where it will stand', ru: 'Место размещения', kk: 'Орналасатын орны' },
			fields: [
				{
					name: 'siteAddress',
					kind: 'address',
					precision: 'house',
					required: true,
					label: {
						en: 'Address of the site',
						ru: 'Адрес места размещения',
						kk: 'Орналасатын жерінің мекенжайы'
					},
					hint: {
						en: 'The nearest building if the site has no address of its own',
						ru: 'Если у места нет своего адреса, укажите ближайшее здание',
						kk: 'Орынның өз мекенжайы болмаса, ең жақын ғимаратты көрсетіңіз'
					}
				},
				{
					name: 'siteDescription',
					kind: 'text',
					required: false,
					maxLength: 300,
					multiline: true,
					label: {
						en: 'How to find the site',
						ru: 'Как найти место',
						kk: 'Орынды қалай табуға болады'
					},
					hint: {
						en: 'For example, “next to the bus stop, opposite the school”',
						ru: 'Например, «рядом с остановкой, напротив школы»',
						kk: 'Мысалы, «аялдаманың жанында, мектептің қарсы бетінде»'
					}
				}
			]
		},
		{
			id: 'period',
			title: { en: 'For how long', ru: 'Срок размещения', kk: 'Орналастыру мерзімі' },
			fields: [
				{
					name: 'startDate',
					kind: 'date',
					required: true,
					label: { en: 'From', ru: 'С какой даты', kk: 'Қай күннен бастап' },
					hint: {
						en: 'Up to 6 months ahead',
						ru: 'Не позднее чем через 6 месяцев',
						kk: '6 айдан кешіктірмей'
					},
					min: { date: '2020-01-01' },
					max: { daysFromToday: 183 }
				},
				{
					name: 'endDate',
					kind: 'date',
					required: true,
					label: { en: 'Until', ru: 'По какую дату', kk: 'Қай күнге дейін' },
					hint: {
						en: 'A permit is given for up to one year',
						ru: 'Разрешение выдаётся не более чем на один год',
						kk: 'Рұқсат бір жылдан аспайтын мерзімге беріледі'
					},
					min: { date: '2020-01-01' },
					max: { daysFromToday: 183 + 365 }
				}
			]
		},
		{
			id: 'photos',
			title: { en: 'Photos', ru: 'Фотографии', kk: 'Фотосуреттер' },
			fields: [
				photo({
					name: 'idDocumentPhoto',
					label: {
						en: 'Photo of your ID card',
						ru: 'Фото удостоверения личности',
						kk: 'Жеке куәліктің фотосуреті'
					},
					hint: {
						en: 'The side with your photo, in good light, so that every word can be read',
						ru: 'Сторона с фотографией, при хорошем освещении, чтобы читалось каждое слово',
						kk: 'Суреті бар жағы, жарық жерде, әр сөзі оқылатындай етіп'
					}
				}),
				photo({
					name: 'sitePhoto',
					label: {
						en: 'Photo of the site or a plan',
						ru: 'Фото места или схема размещения',
						kk: 'Орынның фотосуреті немесе орналасу сызбасы'
					},
					hint: {
						en: 'A photo of the place where the outlet will stand, or a drawn plan showing it and the buildings around',
						ru: 'Фото места, где будет стоять объект, или нарисованная схема с ним и соседними зданиями',
						kk: 'Объект тұратын жердің фотосуреті немесе оны және маңындағы ғимараттарды көрсететін сызба'
					}
				})
			]
		}
	],
	rules: [
		{ rule: 'requiredWhen', field: 'companyBin', when: 'businessForm', values: ['company'] },
		{ rule: 'periodWithin', start: 'startDate', end: 'endDate', maxDays: 365 }
	],
	fee: null,
	processing: { kind: 'review' },
	issues: {
		kind: 'licence',
		name: {
			en: 'Permit to place a non-stationary trade outlet',
			ru: 'Разрешение на размещение нестационарного торгового объекта',
			kk: 'Стационарлық емес сауда объектісін орналастыруға рұқсат'
		}
	},
	// The akimat of the site decides: only it knows which sites are set aside for trade.
	region: 'siteAddress.region'
});
