import { applicantFullName, applicantIin } from './applicant-fields';
import { defineService, type FieldDefinition } from './definition';
import type { Localized } from '../locale';

/** The largest amount a field takes: a trillion tenge is far past the regime's limit. */
const MAX_AMOUNT = '999999999999';

const computed = (name: string, label: Localized): FieldDefinition => ({
	name,
	kind: 'money',
	required: false,
	computed: true,
	min: '0',
	max: MAX_AMOUNT,
	label
});

/**
 * The simplified declaration (form 910.00) an individual entrepreneur files for each
 * half-year. The tax due is worked out from shared/tax/rates.ts on the device as the person
 * types, and again by the server, which refuses a figure that differs.
 */
export const simplifiedTaxDeclaration = defineService({
	id: 'simplified-tax-declaration',
	version: 1,
	supported: true,
	title: {
		en: 'Simplified tax declaration (form 910)',
		ru: 'Упрощённая декларация (форма 910)',
		kk: 'Оңайлатылған декларация (910 нысан)'
	},
	summary: {
		en: 'Declare your business income for a half-year and see the tax due.',
		ru: 'Задекларируйте доход за полугодие и узнайте сумму налога.',
		kk: 'Жартыжылдықтағы табысыңызды декларациялап, салық сомасын біліңіз.'
	},
	help: {
		en: 'File by 15 August for January–June and by 15 February for July–December. The tax is worked out for you from the rates of the year.',
		ru: 'Подайте до 15 августа за январь–июнь и до 15 февраля за июль–декабрь. Налог рассчитывается автоматически по ставкам года.',
		kk: 'Қаңтар–маусым үшін 15 тамызға дейін, шілде–желтоқсан үшін 15 ақпанға дейін тапсырыңыз. Салық жылдың мөлшерлемелері бойынша автоматты түрде есептеледі.'
	},
	eligibility: {
		applicant: 'entrepreneur',
		text: {
			en: 'Individual entrepreneurs on the simplified declaration regime.',
			ru: 'Индивидуальные предприниматели на режиме упрощённой декларации.',
			kk: 'Оңайлатылған декларация режиміндегі жеке кәсіпкерлер.'
		}
	},
	steps: [
		{
			id: 'taxpayer',
			title: { en: 'Taxpayer', ru: 'Налогоплательщик', kk: 'Салық төлеуші' },
			fields: [applicantIin, applicantFullName]
		},
		{
			id: 'period',
			title: { en: 'Tax period', ru: 'Налоговый период', kk: 'Салық кезеңі' },
			fields: [
				{
					name: 'year',
					kind: 'number',
					required: true,
					min: 2000,
					max: 2100,
					label: { en: 'Year', ru: 'Год', kk: 'Жыл' },
					hint: { en: 'For example, 2026', ru: 'Например, 2026', kk: 'Мысалы, 2026' }
				},
				{
					name: 'half',
					kind: 'choice',
					required: true,
					label: { en: 'Half-year', ru: 'Полугодие', kk: 'Жартыжылдық' },
					options: [
						{
							value: '1',
							label: {
								en: 'First half (January–June)',
								ru: 'Первое полугодие (январь–июнь)',
								kk: 'Бірінші жартыжылдық (қаңтар–маусым)'
							}
						},
						{
							value: '2',
							label: {
								en: 'Second half (July–December)',
								ru: 'Второе полугодие (июль–декабрь)',
								kk: 'Екінші жартыжылдық (шілде–желтоқсан)'
							}
						}
					]
				}
			]
		},
		{
			id: 'income',
			title: { en: 'Income and employees', ru: 'Доход и работники', kk: 'Табыс және қызметкерлер' },
			fields: [
				{
					name: 'income',
					kind: 'money',
					required: true,
					min: '0',
					max: MAX_AMOUNT,
					label: {
						en: 'Income for the half-year, tenge',
						ru: 'Доход за полугодие, тенге',
						kk: 'Жартыжылдықтағы табыс, теңге'
					},
					hint: {
						en: 'All income of the business; 0 if there was none',
						ru: 'Весь доход от деятельности; 0, если дохода не было',
						kk: 'Қызметтен түскен барлық табыс; табыс болмаса 0'
					}
				},
				{
					name: 'employees',
					kind: 'number',
					required: true,
					min: 0,
					max: 100000,
					label: {
						en: 'Average number of employees',
						ru: 'Среднесписочная численность работников',
						kk: 'Қызметкерлердің орташа тізімдік саны'
					},
					hint: {
						en: '0 if you work alone',
						ru: '0, если работаете один',
						kk: 'Жалғыз жұмыс істесеңіз 0'
					}
				},
				{
					name: 'payroll',
					kind: 'money',
					required: false,
					min: '0',
					max: MAX_AMOUNT,
					label: {
						en: 'Employees’ pay for the half-year, tenge',
						ru: 'Фонд оплаты труда работников за полугодие, тенге',
						kk: 'Жартыжылдықтағы қызметкерлердің еңбекақы қоры, теңге'
					},
					hint: {
						en: 'Leave empty if you have no employees',
						ru: 'Оставьте пустым, если работников нет',
						kk: 'Қызметкерлер болмаса, бос қалдырыңыз'
					}
				}
			]
		},
		{
			id: 'tax',
			title: { en: 'Tax due', ru: 'Сумма налога', kk: 'Салық сомасы' },
			fields: [
				computed('incomeTax', {
					en: 'Individual income tax, tenge',
					ru: 'Индивидуальный подоходный налог, тенге',
					kk: 'Жеке табыс салығы, теңге'
				}),
				computed('socialTax', {
					en: 'Social tax, tenge',
					ru: 'Социальный налог, тенге',
					kk: 'Әлеуметтік салық, теңге'
				}),
				computed('taxDue', {
					en: 'Total tax due, tenge',
					ru: 'Итого к уплате, тенге',
					kk: 'Барлығы төлеуге, теңге'
				})
			]
		}
	],
	rules: [
		{ rule: 'taxYearKnown', year: 'year' },
		{ rule: 'periodEnded', year: 'year', half: 'half' },
		{ rule: 'zeroWithout', amount: 'payroll', count: 'employees' },
		{
			rule: 'simplifiedTax',
			year: 'year',
			income: 'income',
			payroll: 'payroll',
			incomeTax: 'incomeTax',
			socialTax: 'socialTax',
			total: 'taxDue'
		}
	],
	fee: null,
	// Accepted on arrival when its figures check out; officers audit later, not before.
	processing: { kind: 'automatic', rule: 'acceptDeclaration' },
	issues: {
		kind: 'receipt',
		name: {
			en: 'Notice of acceptance of the tax declaration',
			ru: 'Уведомление о принятии налоговой отчётности',
			kk: 'Салық есептілігін қабылдау туралы хабарлама'
		}
	}
	// No `region`: the form asks for no address, so declarations go to the national queue.
});
