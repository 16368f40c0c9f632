/**
 * The bodies that issue Dala's documents, by the small code a signed document carries in
 * place of the name: a code costs one byte in the QR, a name in three languages a hundred.
 * A code, once used, keeps its body for ever: documents signed with it say so.
 */
import type { Localized } from '../locale';

export const Authority = {
	/** Issues the acknowledgement of a business notification and accepts declarations. */
	stateRevenue: 1,
	/** The local executive body (akimat) that permits trade outlets. */
	akimat: 2,
	/** The civil registry office (ЗАГС / АХАЖ). */
	civilRegistry: 3
} as const;
export type Authority = (typeof Authority)[keyof typeof Authority];

export const AUTHORITY_NAMES: Record<Authority, Localized> = {
	[Authority.stateRevenue]: {
		en: 'State Revenue Committee of the Ministry of Finance of the Republic of Kazakhstan',
		ru: 'Комитет государственных доходов Министерства финансов Республики Казахстан',
		kk: 'Қазақстан Республикасы Қаржы министрлігінің Мемлекеттік кірістер комитеті'
	},
	[Authority.akimat]: {
		en: 'Local executive body (akimat)',
		ru: 'Местный исполнительный орган (акимат)',
		kk: 'Жергілікті атқарушы орган (әкімдік)'
	},
	[Authority.civilRegistry]: {
		en: 'Civil registry office',
		ru: 'Орган регистрации актов гражданского состояния',
		kk: 'Азаматтық хал актілерін тіркеу органы'
	}
};

export function isAuthority(code: number): code is Authority {
	return Object.values(Authority).includes(code as Authority);
}
