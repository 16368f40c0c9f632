/**
 * The named functions behind the cross-field rules a definition lists as data. Each runs
 * on answers already normalized field by field, and answers field name → error code.
 */
import { addDays } from '../dates';
import { FieldErrorCode, type FieldErrors } from '../errors';
import { iinBirthDate } from '../iin';
import { parseTiyn } from '../money';
import { simplifiedTax, taxYear } from '../tax/rates';
import type { CrossFieldRule } from './definition';
import type { Answers } from './validate';

/** What rules may depend on besides the answers: both sides pass the same. */
export interface RuleContext {
	/** Today in Kazakhstan, ISO `yyyy-mm-dd`. */
	today: string;
}

type Rule<K extends CrossFieldRule['rule']> = (
	rule: Extract<CrossFieldRule, { rule: K }>,
	answers: Answers,
	context: RuleContext
) => FieldErrors;

/** The last day of half-year `half` of `year`, ISO. */
function halfYearEnd(year: number, half: number): string {
	return half === 1 ? `${year}-06-30` : `${year}-12-31`;
}

const RULES: { [K in CrossFieldRule['rule']]: Rule<K> } = {
	requiredWhen: ({ field, when, values }, answers) =>
		answers[field] === undefined && values.includes(answers[when] ?? '')
			? { [field]: FieldErrorCode.required }
			: {},

	bornAfterParent: ({ child, parentIin }, answers) => {
		const born = answers[child];
		const parentBorn = iinBirthDate(answers[parentIin] ?? '');
		return born && parentBorn && born < parentBorn
			? { [child]: FieldErrorCode.bornBeforeParent }
			: {};
	},

	periodEnded: ({ year, half }, answers, { today }) => {
		const end = halfYearEnd(Number(answers[year]), Number(answers[half]));
		// Once a period has ended it stays ended: a declaration queued offline stays valid.
		return end < today ? {} : { [half]: FieldErrorCode.periodNotEnded };
	},

	taxYearKnown: ({ year }, answers) =>
		taxYear(Number(answers[year])) ? {} : { [year]: FieldErrorCode.noTaxRates },

	periodWithin: ({ start, end, maxDays }, answers) => {
		const from = answers[start];
		const until = answers[end];
		if (!from || !until) return {};
		if (until < from) return { [end]: FieldErrorCode.endBeforeStart };
		return until > addDays(from, maxDays) ? { [end]: FieldErrorCode.periodTooLong } : {};
	},

	zeroWithout: ({ amount, count }, answers) =>
		Number(answers[count] ?? '0') === 0 && (parseTiyn(answers[amount] ?? '0') ?? 0n) !== 0n
			? { [amount]: FieldErrorCode.payrollWithoutEmployees }
			: {},

	simplifiedTax: (rule, answers) => {
		const due = computeSimplifiedTax(rule, answers);
		if (!due) return {};
		const errors: FieldErrors = {};
		for (const part of ['incomeTax', 'socialTax', 'total'] as const) {
			const name = rule[part];
			const sent = answers[name];
			// A figure the device worked out from other rates (an app with a stale table) is
			// refused, never replaced: the declaration is a legal record of what was declared.
			if (sent === undefined) errors[name] = FieldErrorCode.required;
			else if (sent !== due[name]) errors[name] = FieldErrorCode.computedMismatch;
		}
		return errors;
	}
};

function computeSimplifiedTax(
	rule: Extract<CrossFieldRule, { rule: 'simplifiedTax' }>,
	answers: Answers
): Answers | undefined {
	const income = answers[rule.income];
	const year = answers[rule.year];
	if (income === undefined || year === undefined) return undefined;
	const tax = simplifiedTax(Number(year), income, answers[rule.payroll] ?? '0');
	if (!tax) return undefined;
	return {
		[rule.incomeTax]: tax.incomeTax,
		[rule.socialTax]: tax.socialTax,
		[rule.total]: tax.total
	};
}

/** Runs one rule. The first error for a field wins, in the order rules are listed. */
export function checkRule(rule: CrossFieldRule, answers: Answers, context: RuleContext) {
	return (RULES[rule.rule] as Rule<typeof rule.rule>)(rule as never, answers, context);
}

/**
 * The answers a rule works out (the tax due), from answers already normalized; undefined
 * when the rule computes nothing or its inputs are not all there and right.
 */
export function computeRule(rule: CrossFieldRule, answers: Answers): Answers | undefined {
	return rule.rule === 'simplifiedTax' ? computeSimplifiedTax(rule, answers) : undefined;
}
