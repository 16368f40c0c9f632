/**
 * The reasons a reviewer may give for rejecting an application, kept per service in the
 * three languages the person may read. The reviewer picks one (its `code` is what is
 * stored and sent) and may add words of their own; the phone shows the text of the code in
 * the person's language. Codes are never reused for another meaning: an application keeps
 * its code for good, and every build that knows the code must show the same reason.
 */
import type { Localized } from '../locale';
import type { ServiceDefinition } from './definition';
import { serviceInputs } from './validate';

export interface RejectReason {
	code: string;
	text: Localized;
}

const documentsUnreadable: RejectReason = {
	code: 'documents_unreadable',
	text: {
		en: 'A photo of a document cannot be read. Start a new application with a clear photo.',
		ru: 'Фото документа невозможно прочитать. Подайте новое заявление с чётким фото.',
		kk: 'Құжаттың фотосы оқылмайды. Анық фотомен жаңа өтініш беріңіз.'
	}
};

const applicantMismatch: RejectReason = {
	code: 'applicant_mismatch',
	text: {
		en: 'The applicant’s details do not match the national register.',
		ru: 'Данные заявителя не совпадают с национальным реестром.',
		kk: 'Өтініш берушінің деректері ұлттық тізілімге сәйкес келмейді.'
	}
};

/** By service id: every version of a service shares its list. */
export const REJECT_REASONS: Readonly<Record<string, readonly RejectReason[]>> = {
	'individual-entrepreneur': [
		applicantMismatch,
		{
			code: 'already_registered',
			text: {
				en: 'You are already registered as an individual entrepreneur.',
				ru: 'Вы уже зарегистрированы как индивидуальный предприниматель.',
				kk: 'Сіз жеке кәсіпкер ретінде тіркелгенсіз.'
			}
		},
		{
			code: 'activity_not_allowed',
			text: {
				en: 'This activity cannot be carried out as an individual entrepreneur.',
				ru: 'Этот вид деятельности нельзя вести как индивидуальный предприниматель.',
				kk: 'Бұл қызмет түрін жеке кәсіпкер ретінде жүргізуге болмайды.'
			}
		},
		documentsUnreadable
	],
	'birth-registration': [
		{
			code: 'medical_record_missing',
			text: {
				en: 'No medical record of the birth was found.',
				ru: 'Медицинская запись о рождении не найдена.',
				kk: 'Туу туралы медициналық жазба табылмады.'
			}
		},
		{
			code: 'already_registered',
			text: {
				en: 'This birth is already registered.',
				ru: 'Это рождение уже зарегистрировано.',
				kk: 'Бұл туу тіркелген.'
			}
		},
		{
			code: 'parent_mismatch',
			text: {
				en: 'A parent’s details do not match the national register.',
				ru: 'Данные родителя не совпадают с национальным реестром.',
				kk: 'Ата-ананың деректері ұлттық тізілімге сәйкес келмейді.'
			}
		},
		documentsUnreadable
	],
	'simplified-tax-declaration': [
		applicantMismatch,
		{
			code: 'not_on_simplified_regime',
			text: {
				en: 'You are not on the simplified tax regime for this period.',
				ru: 'За этот период вы не применяете упрощённый режим.',
				kk: 'Бұл кезеңде сіз оңайлатылған режимді қолданбайсыз.'
			}
		},
		{
			code: 'period_already_declared',
			text: {
				en: 'A declaration for this period has already been filed.',
				ru: 'Декларация за этот период уже подана.',
				kk: 'Бұл кезеңге декларация бұрын берілген.'
			}
		}
	],
	'trade-outlet-permit': [
		applicantMismatch,
		{
			code: 'site_not_allowed',
			text: {
				en: 'Trade is not allowed at this site.',
				ru: 'Торговля в этом месте не разрешена.',
				kk: 'Бұл жерде сауда жасауға рұқсат жоқ.'
			}
		},
		{
			code: 'goods_not_allowed',
			text: {
				en: 'These goods may not be sold from this type of outlet.',
				ru: 'Эти товары нельзя продавать в объекте такого вида.',
				kk: 'Бұл тауарларды мұндай объектіде сатуға болмайды.'
			}
		},
		documentsUnreadable
	]
};

/** The reasons a reviewer may pick for a service; none for a service without a list. */
export function rejectReasons(serviceId: string): readonly RejectReason[] {
	return REJECT_REASONS[serviceId] ?? [];
}

/** The reason a code stands for in a service's list, or undefined (an unknown code). */
export function rejectReason(serviceId: string, code: string): RejectReason | undefined {
	return rejectReasons(serviceId).find((reason) => reason.code === code);
}

/**
 * The names a reviewer may ask the person to answer again: every input the person fills
 * in (an address by its parts or as a whole), never a computed one, which the person
 * cannot change.
 */
export function askableFields(service: ServiceDefinition): ReadonlySet<string> {
	const names = new Set<string>();
	for (const field of service.fields) {
		if (field.kind === 'money' && field.computed) continue;
		names.add(field.name);
	}
	for (const input of serviceInputs(service)) {
		if (input.kind === 'money' && input.computed) continue;
		names.add(input.name);
	}
	return names;
}
