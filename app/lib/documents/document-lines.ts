/**
 * What a document's signed claims say, as lines a person reads: one home for the printed
 * document on the phone and the verdict of `/verify`, so both show the same fields in the
 * same words, in the order a person checks them against an ID card.
 */
import { AUTHORITY_NAMES } from '../../../shared/documents/authorities';
import type { DocumentClaims } from '../../../shared/documents/claims';
import { documentNumber, templateOf } from '../../../shared/documents/templates';
import { displayDate, todayInKazakhstan } from '../../../shared/dates';
import { findService } from '../../../shared/services/catalog';
import { answerText } from '../forms/answer-text';
import { localized } from '../i18n/locale.svelte';
import { m } from '../paraglide/messages';

export interface Line {
	label: string;
	value: string;
}

export interface DocumentLines {
	/** The document's name: the service's `issues.name`. */
	title: string;
	/** Holder, dates, authority (the number is `number`, shown on its own). */
	signed: Line[];
	/**
	 * Every other signed answer, with its label in the definition of its version: the
	 * holder's name and IIN are in `signed` already, under the document's own words.
	 */
	answers: Line[];
	/** The IIN printed beside the number for checking it. */
	checkIin?: string;
	number: string;
}

export function documentLines(claims: DocumentClaims): DocumentLines {
	const service = findService(claims.serviceId, claims.serviceVersion);
	const template = templateOf(claims.serviceId);
	const answers = claims.answers;
	const holder = template?.holderName.map((name) => answers[name] ?? '').filter(Boolean);
	const holderIin = template?.holderIin && answers[template.holderIin];
	const validUntil = template?.validUntil && answers[template.validUntil];
	const number = documentNumber(claims.serial);
	const signed: Line[] = [
		...(holder?.length ? [{ label: m.verify_holder(), value: holder.join(' ') }] : []),
		...(holderIin ? [{ label: m.verify_holder_iin(), value: holderIin }] : []),
		{ label: m.verify_issued(), value: displayDate(todayInKazakhstan(claims.issuedAt)) },
		...(validUntil ? [{ label: m.verify_valid_until(), value: displayDate(validUntil) }] : []),
		{ label: m.verify_authority(), value: localized(AUTHORITY_NAMES[claims.authority]) }
	];
	return {
		title: service ? localized(service.issues.name) : claims.serviceId,
		signed,
		answers: (service?.fields ?? [])
			.filter(
				(field) => !template?.holderName.includes(field.name) && field.name !== template?.holderIin
			)
			.map((field) => ({ label: localized(field.label), value: answerText(field, answers) }))
			.filter((line) => line.value !== ''),
		number,
		...(template ? { checkIin: answers[template.checkIin] } : {})
	};
}
