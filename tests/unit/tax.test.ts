import { describe, expect, it } from 'vitest';
import { displayTenge, formatTenge, parseTiyn } from '../../shared/money';
import { simplifiedTax } from '../../shared/tax/rates';

describe('the simplified-regime tax (form 910)', () => {
	it.each([
		// year, income, payroll → IIT, social tax, total
		[2024, '1000000', '0', '15000', '15000', '30000'],
		[2025, '10000000', '2000000', '150000', '50000', '200000'],
		// From 2026 the whole 4% is IIT: no social tax, so the payroll takes nothing off.
		[2026, '5000000', '1200000', '200000', '0', '200000'],
		// Contributions above the social half leave no social tax, never a negative one.
		[2024, '1000000', '10000000', '15000', '0', '15000'],
		// 3% of 1 234 567.89 is 37 037.04 → 37 037; half is 18 518.50 → 18 519 to IIT.
		[2024, '1234567.89', '0', '18519', '18518', '37037'],
		// 3 tenge of tax: IIT takes the half tenge, rounded up.
		[2025, '100', '0', '2', '1', '3'],
		[2026, '0', '0', '0', '0', '0']
	])('%i: income %s, payroll %s → IIT %s, social %s, total %s', (...row) => {
		const [year, income, payroll, incomeTax, socialTax, total] = row;
		expect(simplifiedTax(year, income, payroll)).toEqual({ incomeTax, socialTax, total });
	});

	it.each([
		['a year with no rates', 2023, '1000', '0'],
		['a negative income', 2025, '-1', '0'],
		['an amount that is not one', 2025, '1e6', '0']
	])('has no figure for %s', (_, year, income, payroll) => {
		expect(simplifiedTax(year, income, payroll)).toBeUndefined();
	});
});

describe('money', () => {
	it.each([
		['1 250 000,5', 125000050n, '1250000.50'],
		['1250000.50', 125000050n, '1250000.50'],
		['99.05', 9905n, '99.05'],
		['007', 700n, '7'],
		['-20', -2000n, '-20'],
		['150 000 ₸', 15000000n, '150000']
	])('reads %s as %s tiyn, written %s', (text, tiyn, canonical) => {
		expect(parseTiyn(text)).toBe(tiyn);
		expect(formatTenge(tiyn)).toBe(canonical);
	});

	it.each(['1.234', '1e6', '', '12,34,5', 'abc', '0x10'])('refuses %s', (text) => {
		expect(parseTiyn(text)).toBeNull();
	});

	it('is shown grouped with the tenge sign', () => {
		expect(displayTenge('1250000.50')).toBe('1\u202f250\u202f000,50 ₸');
	});
});
