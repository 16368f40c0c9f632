import { describe, expect, it } from 'vitest';
import { iinCheckDigit, isValidIin } from '../../shared/iin';

describe('IIN check digit', () => {
	it.each([
		'061211600012', // second pass of weights (first pass gives 10)
		'900101300017',
		'870412450012',
		'020304500019'
	])('accepts %s', (iin) => {
		expect(isValidIin(iin)).toBe(true);
	});

	it.each([
		['061211600013', 'wrong check digit'],
		['06121160001', 'eleven digits'],
		['0612116000122', 'thirteen digits'],
		['06121160001a', 'a letter'],
		['', 'empty'],
		[' 061211600012', 'leading space']
	])('rejects %s (%s)', (iin) => {
		expect(isValidIin(iin)).toBe(false);
	});

	it('computes the first-pass digit when it is below 10', () => {
		// 1·9+2·0+3·0+4·1+5·0+6·1+7·3+8·0+9·0+10·0+11·1 = 51 → 51 mod 11 = 7
		expect(iinCheckDigit('90010130001')).toBe(7);
	});

	it('falls back to the second weights when the first pass gives 10', () => {
		expect(iinCheckDigit('06121160001')).toBe(2);
	});

	it('has no valid digit when both passes give 10', () => {
		// Search the space for a prefix whose two passes both give 10; such prefixes exist
		// and must never be accepted with any last digit.
		let prefix: string | undefined;
		for (let n = 0; n < 1_000_000 && !prefix; n++) {
			const candidate = `900101${String(n).padStart(5, '0')}`;
			if (iinCheckDigit(candidate) === null) prefix = candidate;
		}
		expect(prefix).toBeDefined();
		for (let d = 0; d <= 9; d++) expect(isValidIin(`${prefix}${d}`)).toBe(false);
	});
});
