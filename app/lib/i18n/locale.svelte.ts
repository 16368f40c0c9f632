import type { Localized } from '../../../shared/locale';
import { getLocale, overwriteGetLocale, setLocale, type Locale } from '../paraglide/runtime';

/**
 * The interface language. Paraglide keeps the choice on the device (localStorage).
 * Every message reads the locale through `getLocale()`, which is pointed at this
 * reactive value: a change re-renders text in place, without a reload or a remount
 * that would drop what the person is typing.
 */
class LocaleState {
	current = $state<Locale>(getLocale());

	set(locale: Locale): void {
		void setLocale(locale, { reload: false });
		this.current = locale;
		document.documentElement.lang = locale;
	}
}

export const locale = new LocaleState();
overwriteGetLocale(() => locale.current);

/** Text from a service definition in the current language. */
export function localized(text: Localized): string {
	return text[locale.current];
}

/** A time of day or a date and time, as people of this language write it. */
export function formatTime(epochMs: number): string {
	return new Intl.DateTimeFormat(locale.current, {
		dateStyle: localDay(epochMs) === localDay(Date.now()) ? undefined : 'medium',
		timeStyle: 'short'
	}).format(epochMs);
}

const dayFormat = new Intl.DateTimeFormat('en-CA', { dateStyle: 'short' });
/** The local calendar day, as `2026-11-26`. */
function localDay(epochMs: number): string {
	return dayFormat.format(epochMs);
}

/** A byte count as people read it: "12 kB", "1.4 MB". */
export function formatBytes(bytes: number): string {
	const [value, unit] = bytes < 1_000_000 ? [bytes / 1000, 'kilobyte'] : [bytes / 1e6, 'megabyte'];
	return new Intl.NumberFormat(locale.current, {
		style: 'unit',
		unit,
		maximumFractionDigits: value < 10 ? 1 : 0
	}).format(value);
}
