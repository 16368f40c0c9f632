/**
 * Addresses in Kazakhstan as parts: a region (one of 17 oblasts or the three cities of
 * republican significance, as since the 2022 reform), then district, town or village,
 * street, house and flat as written locally. The region is a choice because it routes an
 * application to its office; the rest is text because the address register's names come
 * in Kazakh and Russian spellings that a fixed list would get wrong.
 */
import type { ChoiceOption, FieldDefinition, TextField, ChoiceField } from './definition';

export const REGIONS: readonly ChoiceOption[] = [
	{ value: 'astana', label: { en: 'Astana city', ru: 'город Астана', kk: 'Астана қаласы' } },
	{ value: 'almaty', label: { en: 'Almaty city', ru: 'город Алматы', kk: 'Алматы қаласы' } },
	{ value: 'shymkent', label: { en: 'Shymkent city', ru: 'город Шымкент', kk: 'Шымкент қаласы' } },
	{ value: 'abai', label: { en: 'Abai Region', ru: 'Абайская область', kk: 'Абай облысы' } },
	{
		value: 'akmola',
		label: { en: 'Akmola Region', ru: 'Акмолинская область', kk: 'Ақмола облысы' }
	},
	{
		value: 'aktobe',
		label: { en: 'Aktobe Region', ru: 'Актюбинская область', kk: 'Ақтөбе облысы' }
	},
	{
		value: 'almaty-region',
		label: { en: 'Almaty Region', ru: 'Алматинская область', kk: 'Алматы облысы' }
	},
	{
		value: 'atyrau',
		label: { en: 'Atyrau Region', ru: 'Атырауская область', kk: 'Атырау облысы' }
	},
	{
		value: 'east-kazakhstan',
		label: {
			en: 'East Kazakhstan Region',
			ru: 'Восточно-Казахстанская область',
			kk: 'Шығыс Қазақстан облысы'
		}
	},
	{
		value: 'zhambyl',
		label: { en: 'Zhambyl Region', ru: 'Жамбылская область', kk: 'Жамбыл облысы' }
	},
	{
		value: 'zhetysu',
		label: { en: 'Zhetysu Region', ru: 'Жетысуская область', kk: 'Жетісу облысы' }
	},
	{
		value: 'west-kazakhstan',
		label: {
			en: 'West Kazakhstan Region',
			ru: 'Западно-Казахстанская область',
			kk: 'Батыс Қазақстан облысы'
		}
	},
	{
		value: 'karaganda',
		label: { en: 'Karaganda Region', ru: 'Карагандинская область', kk: 'Қарағанды облысы' }
	},
	{
		value: 'kostanay',
		label: { en: 'Kostanay Region', ru: 'Костанайская область', kk: 'Қостанай облысы' }
	},
	{
		value: 'kyzylorda',
		label: { en: 'Kyzylorda Region', ru: 'Кызылординская область', kk: 'Қызылорда облысы' }
	},
	{
		value: 'mangystau',
		label: { en: 'Mangystau Region', ru: 'Мангистауская область', kk: 'Маңғыстау облысы' }
	},
	{
		value: 'pavlodar',
		label: { en: 'Pavlodar Region', ru: 'Павлодарская область', kk: 'Павлодар облысы' }
	},
	{
		value: 'north-kazakhstan',
		label: {
			en: 'North Kazakhstan Region',
			ru: 'Северо-Казахстанская область',
			kk: 'Солтүстік Қазақстан облысы'
		}
	},
	{
		value: 'turkistan',
		label: { en: 'Turkistan Region', ru: 'Туркестанская область', kk: 'Түркістан облысы' }
	},
	{ value: 'ulytau', label: { en: 'Ulytau Region', ru: 'Улытауская область', kk: 'Ұлытау облысы' } }
];

/**
 * The inputs a field is answered with: the field itself, or for an address one field per
 * part, named `address.part`. Validation, error messages and the form all go by these.
 */
export function inputFields(field: FieldDefinition): readonly FieldDefinition[] {
	if (field.kind !== 'address') return [field];
	const name = (part: string) => `${field.name}.${part}`;
	const region: ChoiceField = {
		name: name('region'),
		kind: 'choice',
		required: field.required,
		label: { en: 'Region or city', ru: 'Область или город', kk: 'Облыс немесе қала' },
		options: REGIONS
	};
	const text = (
		part: string,
		label: TextField['label'],
		required: boolean,
		// What an address register's longest names need ("проспект Нұрсұлтан Назарбаев" is
		// 28): a longer cap would only make the printed QR code denser (docs/services.md).
		maxLength = 60,
		hint?: TextField['hint']
	): TextField => ({
		name: name(part),
		kind: 'text',
		required: required && field.required,
		maxLength,
		label,
		...(hint ? { hint } : {})
	});
	const place = [
		region,
		text('district', { en: 'District', ru: 'Район', kk: 'Аудан' }, false, 60, {
			en: 'Leave empty for Astana, Almaty or Shymkent',
			ru: 'Не заполняйте для Астаны, Алматы и Шымкента',
			kk: 'Астана, Алматы және Шымкент үшін толтырмаңыз'
		}),
		text('settlement', { en: 'Town or village', ru: 'Город, село', kk: 'Қала, ауыл' }, true)
	];
	if (field.precision === 'settlement') return place;
	return [
		...place,
		text('street', { en: 'Street', ru: 'Улица', kk: 'Көше' }, true),
		text('house', { en: 'House', ru: 'Дом', kk: 'Үй' }, true, 20),
		text('flat', { en: 'Flat or office', ru: 'Квартира, офис', kk: 'Пәтер, кеңсе' }, false, 20)
	];
}
