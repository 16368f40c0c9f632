import { describe, expect, it } from 'vitest';
import { formatPhone, normalizePhone } from '../../shared/phone';
import { individualEntrepreneur } from '../../shared/services/individual-entrepreneur';
import { validateAnswers } from '../../shared/services/validate';

const good = {
	iin: '061211600012',
	fullName: 'Сейтқали Айгүл Нұрланқызы',
	businessName: 'ЖК Сейтқали',
	activity: 'retail',
	address: 'Түркістан облысы, Сайрам ауданы, Ақсу ауылы, Абай көшесі, 12',
	phone: '8 (701) 234-56-78'
};

describe('individual entrepreneur answers', () => {
	it('accepts good answers and normalizes them', () => {
		const result = validateAnswers(individualEntrepreneur, {
			...good,
			iin: ' 0612 1160 0012 ',
			fullName: '  Сейтқали Айгүл  '
		});
		expect(result).toEqual({
			ok: true,
			answers: { ...good, fullName: 'Сейтқали Айгүл', phone: '+77012345678' }
		});
	});

	it('drops keys the service does not ask for', () => {
		const result = validateAnswers(individualEntrepreneur, { ...good, status: 'approved' });
		expect(result.ok && 'status' in result.answers).toBe(false);
	});

	it('names every missing field as required', () => {
		expect(validateAnswers(individualEntrepreneur, {})).toEqual({
			ok: false,
			fieldErrors: {
				iin: 'required',
				fullName: 'required',
				businessName: 'required',
				activity: 'required',
				address: 'required',
				phone: 'required'
			}
		});
	});

	it('says exactly what is wrong with each bad answer', () => {
		const result = validateAnswers(individualEntrepreneur, {
			...good,
			iin: '061211600013',
			fullName: 'x'.repeat(201),
			activity: 'smuggling',
			phone: '+1 202 555 0100',
			address: 42
		});
		expect(result).toEqual({
			ok: false,
			fieldErrors: {
				iin: 'invalid_iin',
				fullName: 'too_long',
				activity: 'invalid_choice',
				phone: 'invalid_phone',
				address: 'invalid_type'
			}
		});
	});

	it('refuses a body that is not an object', () => {
		for (const input of [null, 'text', 7, []]) {
			expect(validateAnswers(individualEntrepreneur, input).ok).toBe(false);
		}
	});
});

describe('phone numbers', () => {
	it.each([
		['+7 701 234 56 78', '+77012345678'],
		['87012345678', '+77012345678'],
		['7012345678', '+77012345678'],
		['+7 (7172) 55-66-77', '+77172556677']
	])('reads %s as %s', (input, expected) => {
		expect(normalizePhone(input)).toBe(expected);
	});

	it.each(['+7 912 345 67 89', '12345', '+77012345678 9', 'phone'])('refuses %s', (input) => {
		expect(normalizePhone(input)).toBeNull();
	});
});

describe('phone display', () => {
	it('groups a normalized number for reading', () => {
		expect(formatPhone('+77012345678')).toBe('+7 701 234 56 78');
	});
});

describe('text PostgreSQL cannot store', () => {
	it.each([
		['a NUL character', 'Talgar\u0000'],
		['a lone surrogate', 'Talgar \ud800']
	])('refuses %s as invalid_type', (_, address) => {
		expect(validateAnswers(individualEntrepreneur, { ...good, address })).toEqual({
			ok: false,
			fieldErrors: { address: 'invalid_type' }
		});
	});

	it('accepts characters outside the basic plane', () => {
		expect(validateAnswers(individualEntrepreneur, { ...good, address: 'Ақсу 🏠' }).ok).toBe(true);
	});
});
