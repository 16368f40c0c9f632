/**
 * The simplified declaration regime for individual entrepreneurs (form 910.00): the rates
 * per year, and the one computation the device shows and the server checks. The table is
 * data: a new year is a new row here, not a change to any form.
 *
 * The rule, as form 910 sets it out for a half-year:
 * 1. tax = rate × income of the half-year;
 * 2. until 2025 (3%), half of it is individual income tax (IIT) and the other half social
 *    tax, reduced by the social contributions paid for employees (their rate × the payroll
 *    of the half-year) and never below zero;
 * 3. from 2026, under the new Tax Code, the whole 4% is IIT and no social tax is paid;
 * 4. what is due is IIT + social tax.
 * Not modelled: the maslikhats' adjustment of the 4% by up to ±50% for an activity or a
 * place, and the 2026 reduction by the payroll for incomes over 24 000 MCI.
 * Amounts are rounded to whole tenge at each step as the Tax Code rounds declared amounts
 * (under 50 tiyn dropped, 50 or more up). Simplifications, said plainly: the entrepreneur's
 * own contributions and the per-employee income cap are left out; the income limit of the
 * regime is not checked.
 */
import { formatTenge, parseTiyn, percentOf, roundToTenge } from '../money';

export interface TaxYear {
	year: number;
	/** The monthly calculation index (МРП/АЕК) of the year, in tenge. */
	mciTenge: number;
	/** Tax on income, in basis points (300 = 3%). */
	rateBasisPoints: number;
	/** Whether half of the tax is social tax, reduced by the employees' contributions. */
	socialTaxHalf: boolean;
	/** Social contributions on employees' pay, in basis points. */
	socialContributionBasisPoints: number;
}

/** One row per year the regime's rates are known for. */
export const SIMPLIFIED_TAX_YEARS: readonly TaxYear[] = [
	{
		year: 2024,
		mciTenge: 3692,
		rateBasisPoints: 300,
		socialTaxHalf: true,
		socialContributionBasisPoints: 350
	},
	{
		year: 2025,
		mciTenge: 3932,
		rateBasisPoints: 300,
		socialTaxHalf: true,
		socialContributionBasisPoints: 500
	},
	{
		year: 2026,
		mciTenge: 4325,
		rateBasisPoints: 400,
		socialTaxHalf: false,
		socialContributionBasisPoints: 500
	}
];

/** The rates for a year, or undefined when the table has none. */
export function taxYear(year: number): TaxYear | undefined {
	return SIMPLIFIED_TAX_YEARS.find((row) => row.year === year);
}

/** What a half-year's declaration owes, each figure canonical tenge text (`money.ts`). */
export interface SimplifiedTax {
	incomeTax: string;
	socialTax: string;
	total: string;
}

/**
 * The tax due for a half-year, from canonical amounts; undefined when the year has no
 * row in the table or an amount is not one.
 */
export function simplifiedTax(
	year: number,
	income: string,
	payroll: string
): SimplifiedTax | undefined {
	const rates = taxYear(year);
	const incomeTiyn = parseTiyn(income);
	const payrollTiyn = parseTiyn(payroll);
	if (!rates || incomeTiyn === null || payrollTiyn === null) return undefined;
	if (incomeTiyn < 0n || payrollTiyn < 0n) return undefined;
	const tax = roundToTenge(percentOf(incomeTiyn, rates.rateBasisPoints));
	if (!rates.socialTaxHalf) {
		return { incomeTax: formatTenge(tax), socialTax: '0', total: formatTenge(tax) };
	}
	const incomeTax = roundToTenge(tax / 2n);
	const socialHalf = tax - incomeTax;
	const contributions = roundToTenge(percentOf(payrollTiyn, rates.socialContributionBasisPoints));
	const socialTax = socialHalf > contributions ? socialHalf - contributions : 0n;
	return {
		incomeTax: formatTenge(incomeTax),
		socialTax: formatTenge(socialTax),
		total: formatTenge(incomeTax + socialTax)
	};
}
