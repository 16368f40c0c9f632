import type { ServiceDefinition } from './definition';

/** Notification of the start of business as an individual entrepreneur (low risk). */
export const individualEntrepreneur: ServiceDefinition = {
	id: 'individual-entrepreneur',
	version: 1,
	title: {
		en: 'Register as an individual entrepreneur',
		ru: 'Регистрация индивидуального предпринимателя',
		kk: 'Жеке кәсіпкер ретінде тіркелу'
	},
	summary: {
		en: 'Start a small business in your own name. Takes about 5 minutes.',
		ru: 'Начните своё дело от своего имени. Займёт около 5 минут.',
		kk: 'Өз атыңыздан шағын бизнес бастаңыз. Шамамен 5 минут алады.'
	},
	fields: [
		{
			name: 'iin',
			kind: 'iin',
			required: true,
			label: { en: 'Your IIN', ru: 'Ваш ИИН', kk: 'Сіздің ЖСН' },
			hint: {
				en: '12 digits, as on your ID card',
				ru: '12 цифр, как в удостоверении личности',
				kk: 'Жеке куәлігіңіздегідей 12 сан'
			}
		},
		{
			name: 'fullName',
			kind: 'text',
			required: true,
			maxLength: 200,
			autocomplete: 'name',
			label: { en: 'Full name', ru: 'Фамилия, имя, отчество', kk: 'Тегі, аты, әкесінің аты' }
		},
		{
			name: 'businessName',
			kind: 'text',
			required: true,
			maxLength: 200,
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
		{
			name: 'phone',
			kind: 'phone',
			required: true,
			autocomplete: 'tel',
			label: { en: 'Phone number', ru: 'Номер телефона', kk: 'Телефон нөмірі' },
			hint: {
				en: 'For example, +7 701 234 56 78',
				ru: 'Например, +7 701 234 56 78',
				kk: 'Мысалы, +7 701 234 56 78'
			}
		}
	]
};
