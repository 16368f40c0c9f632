import type { Localized } from '../../../shared/locale';
import { getLocale, setLocale, type Locale } from '../paraglide/runtime';

/**
 * The interface language. Paraglide keeps the choice on the device (localStorage);
 * this makes it reactive, so the layout re-renders in place instead of reloading.
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

/** Text from a service definition in the current language. */
export function localized(text: Localized): string {
	return text[locale.current];
}

/** A time of day or a date and time, as people of this language write it. */
export function formatTime(epochMs: number): string {
	const date = new Date(epochMs);
	const today = new Date().toDateString() === date.toDateString();
	return new Intl.DateTimeFormat(locale.current, {
		dateStyle: today ? undefined : 'medium',
		timeStyle: 'short'
	}).format(date);
}
