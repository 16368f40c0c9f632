import { m } from '$lib/paraglide/messages';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const DAYS: Record<Intl.LDMLPluralRule, (inputs: { n: string }) => string> = {
	zero: m.dashboard_days_many,
	one: m.dashboard_days_one,
	two: m.dashboard_days_few,
	few: m.dashboard_days_few,
	many: m.dashboard_days_many,
	other: m.dashboard_days_other
};

/**
 * A duration as a person says it, to the precision that matters at its size: "12 min",
 * "2 h 15 min", "1 day 4 h", "3 days". Russian needs its three plural forms of "day",
 * which Intl.PluralRules picks for the language.
 */
export function humanDuration(ms: number, locale: string): string {
	const days = (n: number) => DAYS[new Intl.PluralRules(locale).select(n)]({ n: String(n) });
	if (ms < HOUR) return m.dashboard_minutes({ n: String(Math.max(1, Math.round(ms / MINUTE))) });
	if (ms < DAY) {
		const minutes = Math.round(ms / MINUTE);
		return m.dashboard_hours({
			h: String(Math.floor(minutes / 60)),
			m: String(minutes % 60)
		});
	}
	if (ms < 3 * DAY) {
		const hours = Math.round(ms / HOUR);
		const rest = hours % 24;
		const whole = days(Math.floor(hours / 24));
		return rest ? `${whole} ${m.dashboard_hours_only({ h: String(rest) })}` : whole;
	}
	return days(Math.round(ms / DAY));
}
