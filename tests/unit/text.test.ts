import { describe, expect, it } from 'vitest';
import { individualEntrepreneur } from '../../shared/services/individual-entrepreneur';
import { validateAnswers } from '../../shared/services/validate';
import { hasForbiddenCharacter } from '../../shared/text';

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
const range = (from: number, to: number) =>
	Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('text a person typed', () => {
	const controls = [...range(0x00, 0x1f), 0x7f, ...range(0x80, 0x9f)];
	const bidi = [...range(0x202a, 0x202e), ...range(0x2066, 0x2069), 0x200e, 0x200f, 0x061c];

	it.each([...controls, ...bidi].map((code) => [hex(code), code]))(
		'refuses %s anywhere in a line',
		(_name, code) => {
			const char = String.fromCodePoint(code);
			for (const text of [`${char}Aigerim`, `Aig${char}erim`, `Aigerim${char}`]) {
				expect(hasForbiddenCharacter(text)).toBe(true);
			}
		}
	);

	it('allows a line break only where the field has several lines, never a carriage return', () => {
		expect(hasForbiddenCharacter('Abay 1\nflat 2')).toBe(true);
		expect(hasForbiddenCharacter('Abay 1\nflat 2', { multiline: true })).toBe(false);
		expect(hasForbiddenCharacter('Abay 1\r\nflat 2', { multiline: true })).toBe(true);
		expect(hasForbiddenCharacter('Abay 1\u202e2', { multiline: true })).toBe(true);
	});

	it.each([
		['Kazakh', 'Сейтқали Айгүл Нұрланқызы'],
		['Russian', 'Иванов Пётр, ул. Абая 1/2, кв. «5»'],
		['Latin with accents', 'Zoë Ñúñez-O’Brien'],
		['an emoji with joiners', 'Shop 👩‍👩‍👧'],
		['a no-break space and a narrow no-break space', '1\u00a0000\u202f000'],
		['Arabic letters', 'مرحبا']
	])('keeps %s', (_name, text) => {
		expect(hasForbiddenCharacter(text)).toBe(false);
	});
});

describe('answers with forbidden characters', () => {
	const good = {
		iin: '061211600012',
		fullName: 'Сейтқали Айгүл',
		businessName: 'ЖК Сейтқали',
		activity: 'retail',
		address: 'Ақсу ауылы,\nАбай көшесі, 12',
		phone: '+77012345678'
	};

	it('keeps a line break in a multi-line answer', () => {
		expect(validateAnswers(individualEntrepreneur, good).ok).toBe(true);
	});

	it.each([
		['a name shown backwards (U+202E)', { fullName: 'Aigerim \u202eilaktieS' }],
		['a name with a bell (BEL)', { fullName: 'Aigerim\u0007' }],
		['a name with a C1 control (CSI)', { fullName: 'Aigerim\u009b31m' }],
		['a name with an isolate (U+2067)', { businessName: 'IE \u2067Seitkali\u2069' }],
		['a name with a right-to-left mark', { businessName: 'IE\u200f Seitkali' }],
		['a line break in a one-line answer', { businessName: 'IE\nSeitkali' }],
		['a tab in a multi-line answer', { address: 'Abay\t1' }]
	])('refuses %s with forbidden_character on that field', (_name, change) => {
		const [field] = Object.keys(change);
		expect(validateAnswers(individualEntrepreneur, { ...good, ...change })).toEqual({
			ok: false,
			fieldErrors: { [field!]: 'forbidden_character' }
		});
	});
});
