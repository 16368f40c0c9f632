/**
 * The questions about the person applying that several services ask in the same words:
 * one definition each, so a service cannot drift from the others in a label or a limit.
 * Answers are stored under these names in every service that asks them.
 */
import type { IinField, PhoneField, TextField } from './definition';

export const applicantIin: IinField = {
	name: 'iin',
	kind: 'iin',
	required: true,
	label: { en: 'Your IIN', ru: 'Ваш ИИН', kk: 'Сіздің ЖСН' },
	hint: {
		en: '12 digits, as on your ID card',
		ru: '12 цифр, как в удостоверении личности',
		kk: 'Жеке куәлігіңіздегідей 12 сан'
	}
};

export const applicantFullName: TextField = {
	name: 'fullName',
	kind: 'text',
	required: true,
	// Surname, name and patronymic of up to 40 characters each (birth-registration.ts).
	maxLength: 120,
	autocomplete: 'name',
	label: { en: 'Full name', ru: 'Фамилия, имя, отчество', kk: 'Тегі, аты, әкесінің аты' }
};

export const contactPhone: PhoneField = {
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
};
