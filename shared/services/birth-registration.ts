import { contactPhone } from './applicant-fields';
import { defineService, type FieldDefinition } from './definition';
import type { Localized } from '../locale';

const name = (field: string, label: Localized, required = true): FieldDefinition => ({
	name: field,
	kind: 'text',
	required,
	// Real names are far shorter (a double Kazakh surname is ~25 letters); every character
	// allowed here is one more a birth certificate's QR code may have to carry.
	maxLength: 40,
	label
});

/**
 * State registration of a birth: the registry office (ЗАГС/АХАЖ) records the child from
 * the medical record of the birth and the parents' IINs, and issues a birth certificate.
 */
export const birthRegistration = defineService({
	id: 'birth-registration',
	version: 1,
	supported: true,
	title: {
		en: 'Register a birth',
		ru: 'Регистрация рождения ребёнка',
		kk: 'Баланың тууын тіркеу'
	},
	summary: {
		en: 'Register your child’s birth and get a birth certificate. Takes about 10 minutes.',
		ru: 'Зарегистрируйте рождение ребёнка и получите свидетельство о рождении. Займёт около 10 минут.',
		kk: 'Баланың тууын тіркеп, туу туралы куәлік алыңыз. Шамамен 10 минут алады.'
	},
	help: {
		en: 'You need the medical record of the birth from the maternity hospital and both parents’ IINs. Registration is free. A registry officer checks the application, then the certificate is issued.',
		ru: 'Понадобятся медицинское свидетельство о рождении из роддома и ИИН родителей. Регистрация бесплатная. Сотрудник ЗАГСа проверит заявление, после чего будет выдано свидетельство.',
		kk: 'Перзентханадан берілген туу туралы медициналық куәлік және ата-ананың ЖСН қажет. Тіркеу тегін. АХАЖ қызметкері өтінішті тексергеннен кейін куәлік беріледі.'
	},
	eligibility: {
		applicant: 'individual',
		text: {
			en: 'A parent of the child, or a person a parent has authorised.',
			ru: 'Родитель ребёнка или лицо, уполномоченное родителем.',
			kk: 'Баланың ата-анасы немесе ата-анасы уәкілеттік берген тұлға.'
		}
	},
	steps: [
		{
			id: 'child',
			title: { en: 'The child', ru: 'Ребёнок', kk: 'Бала' },
			fields: [
				name('childSurname', { en: 'Child’s surname', ru: 'Фамилия ребёнка', kk: 'Баланың тегі' }),
				name('childGivenName', { en: 'Child’s first name', ru: 'Имя ребёнка', kk: 'Баланың аты' }),
				name(
					'childPatronymic',
					{ en: 'Child’s patronymic', ru: 'Отчество ребёнка', kk: 'Баланың әкесінің аты' },
					false
				),
				{
					name: 'childSex',
					kind: 'choice',
					required: true,
					label: { en: 'Sex', ru: 'Пол', kk: 'Жынысы' },
					options: [
						{ value: 'male', label: { en: 'Boy', ru: 'Мальчик', kk: 'Ұл' } },
						{ value: 'female', label: { en: 'Girl', ru: 'Девочка', kk: 'Қыз' } }
					]
				},
				{
					name: 'childBirthDate',
					kind: 'date',
					required: true,
					label: { en: 'Date of birth', ru: 'Дата рождения', kk: 'Туған күні' },
					min: { date: '1930-01-01' },
					max: { daysFromToday: 0 }
				},
				{
					name: 'birthPlace',
					kind: 'address',
					precision: 'settlement',
					required: true,
					label: { en: 'Place of birth', ru: 'Место рождения', kk: 'Туған жері' }
				}
			]
		},
		{
			id: 'medical',
			title: {
				en: 'Medical record of the birth',
				ru: 'Медицинское свидетельство о рождении',
				kk: 'Туу туралы медициналық куәлік'
			},
			fields: [
				{
					name: 'medicalRecordNumber',
					kind: 'text',
					required: true,
					maxLength: 12,
					pattern: '\\d{6,12}',
					label: {
						en: 'Medical birth record number',
						ru: 'Номер медицинского свидетельства о рождении',
						kk: 'Туу туралы медициналық куәліктің нөмірі'
					},
					hint: {
						en: '6 to 12 digits, from the record the maternity hospital gave you',
						ru: 'От 6 до 12 цифр, из свидетельства, выданного роддомом',
						kk: 'Перзентхана берген куәліктегі 6–12 сан'
					}
				},
				{
					name: 'medicalOrgBin',
					kind: 'bin',
					required: false,
					label: {
						en: 'BIN of the maternity hospital',
						ru: 'БИН родильного дома',
						kk: 'Перзентхананың БСН'
					},
					hint: {
						en: '12 digits, printed on the medical record',
						ru: '12 цифр, указан в медицинском свидетельстве',
						kk: 'Медициналық куәлікте көрсетілген 12 сан'
					}
				}
			]
		},
		{
			id: 'mother',
			title: { en: 'The mother', ru: 'Мать', kk: 'Анасы' },
			fields: [
				{
					name: 'motherIin',
					kind: 'iin',
					required: true,
					label: { en: 'Mother’s IIN', ru: 'ИИН матери', kk: 'Ананың ЖСН' }
				},
				name('motherSurname', { en: 'Mother’s surname', ru: 'Фамилия матери', kk: 'Ананың тегі' }),
				name('motherGivenName', { en: 'Mother’s first name', ru: 'Имя матери', kk: 'Ананың аты' }),
				name(
					'motherPatronymic',
					{ en: 'Mother’s patronymic', ru: 'Отчество матери', kk: 'Ананың әкесінің аты' },
					false
				)
			]
		},
		{
			id: 'father',
			title: { en: 'The father', ru: 'Отец', kk: 'Әкесі' },
			fields: [
				{
					name: 'fatherBasis',
					kind: 'choice',
					required: true,
					label: {
						en: 'How the father is recorded',
						ru: 'Основание записи сведений об отце',
						kk: 'Әке туралы мәліметтерді жазу негізі'
					},
					options: [
						{
							value: 'marriage',
							label: {
								en: 'The parents are married',
								ru: 'Родители состоят в браке',
								kk: 'Ата-анасы некеде тұрады'
							}
						},
						{
							value: 'paternity',
							label: {
								en: 'Joint application establishing paternity',
								ru: 'Совместное заявление об установлении отцовства',
								kk: 'Әкелікті анықтау туралы бірлескен өтініш'
							}
						},
						{
							value: 'mother',
							label: {
								en: 'From the mother’s statement',
								ru: 'По заявлению матери',
								kk: 'Ананың өтініші бойынша'
							}
						}
					]
				},
				{
					name: 'fatherIin',
					kind: 'iin',
					required: false,
					label: { en: 'Father’s IIN', ru: 'ИИН отца', kk: 'Әкенің ЖСН' },
					hint: {
						en: 'Needed unless the father is recorded from the mother’s statement',
						ru: 'Обязателен, кроме записи по заявлению матери',
						kk: 'Ананың өтініші бойынша жазудан басқа жағдайда міндетті'
					}
				},
				name('fatherSurname', { en: 'Father’s surname', ru: 'Фамилия отца', kk: 'Әкенің тегі' }),
				name('fatherGivenName', { en: 'Father’s first name', ru: 'Имя отца', kk: 'Әкенің аты' }),
				name(
					'fatherPatronymic',
					{ en: 'Father’s patronymic', ru: 'Отчество отца', kk: 'Әкенің әкесінің аты' },
					false
				)
			]
		},
		{
			id: 'informant',
			title: { en: 'Who is applying', ru: 'Заявитель', kk: 'Өтініш беруші' },
			fields: [
				{
					name: 'informant',
					kind: 'choice',
					required: true,
					label: {
						en: 'Who is making this application',
						ru: 'Кто подаёт заявление',
						kk: 'Өтінішті кім береді'
					},
					options: [
						{ value: 'mother', label: { en: 'The mother', ru: 'Мать', kk: 'Анасы' } },
						{ value: 'father', label: { en: 'The father', ru: 'Отец', kk: 'Әкесі' } },
						{
							value: 'other',
							label: {
								en: 'Someone a parent has authorised',
								ru: 'Лицо, уполномоченное родителем',
								kk: 'Ата-анасы уәкілеттік берген тұлға'
							}
						}
					]
				},
				{
					name: 'informantIin',
					kind: 'iin',
					required: false,
					label: { en: 'Applicant’s IIN', ru: 'ИИН заявителя', kk: 'Өтініш берушінің ЖСН' },
					hint: {
						en: 'Only if someone else is applying for a parent',
						ru: 'Только если заявление подаёт другое лицо',
						kk: 'Өтінішті басқа тұлға берген жағдайда ғана'
					}
				},
				{
					name: 'informantName',
					kind: 'text',
					required: false,
					maxLength: 120,
					label: {
						en: 'Applicant’s full name',
						ru: 'ФИО заявителя',
						kk: 'Өтініш берушінің аты-жөні'
					},
					hint: {
						en: 'Only if someone else is applying for a parent',
						ru: 'Только если заявление подаёт другое лицо',
						kk: 'Өтінішті басқа тұлға берген жағдайда ғана'
					}
				},
				contactPhone
			]
		}
	],
	rules: [
		{ rule: 'bornAfterParent', child: 'childBirthDate', parentIin: 'motherIin' },
		{ rule: 'bornAfterParent', child: 'childBirthDate', parentIin: 'fatherIin' },
		{
			rule: 'requiredWhen',
			field: 'fatherIin',
			when: 'fatherBasis',
			values: ['marriage', 'paternity']
		},
		{ rule: 'requiredWhen', field: 'informantIin', when: 'informant', values: ['other'] },
		{ rule: 'requiredWhen', field: 'informantName', when: 'informant', values: ['other'] }
	],
	fee: null,
	processing: { kind: 'review' },
	issues: {
		kind: 'certificate',
		name: { en: 'Birth certificate', ru: 'Свидетельство о рождении', kk: 'Туу туралы куәлік' }
	},
	// The registry office of the place of birth registers it.
	region: 'birthPlace.region'
});
