/** The interface languages. Kazakh is written in Cyrillic. */
export const LOCALES = ['kk', 'ru', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Text that a service definition carries in every interface language. */
export type Localized = Record<Locale, string>;
