/**
 * What each service's document is: which body issues it, whose it is, which answers it
 * carries. The layout on paper is the app's (app/lib/documents); what is signed is decided
 * here, once, for the server that signs and every device that verifies.
 */
import { Authority } from './authorities';

export interface DocumentTemplate {
	serviceId: string;
	/** The service's number in a signed document. Never reused for another service. */
	code: number;
	authority: Authority;
	/** The answers that name the holder, in order (a birth certificate's: the child's). */
	holderName: readonly string[];
	/** The holder's IIN; none for a newborn, who has none yet. */
	holderIin?: string;
	/**
	 * The IIN printed beside the number to check the document online: the holder's, or for
	 * a birth certificate the mother's (the child has none, the parent applies).
	 */
	checkIin: string;
	/**
	 * Answers the document leaves out besides phones and photos (never on a document):
	 * working papers of the office, and who filed it.
	 */
	omit: readonly string[];
	/** The answer holding the document's last valid day; none: valid until revoked. */
	validUntil?: string;
}

export const TEMPLATES: readonly DocumentTemplate[] = [
	{
		serviceId: 'individual-entrepreneur',
		code: 1,
		authority: Authority.stateRevenue,
		holderName: ['fullName'],
		holderIin: 'iin',
		checkIin: 'iin',
		omit: []
	},
	{
		serviceId: 'trade-outlet-permit',
		code: 2,
		authority: Authority.akimat,
		holderName: ['fullName'],
		holderIin: 'iin',
		checkIin: 'iin',
		// A description of the site is the inspector's to read in the file, not the permit's.
		omit: ['siteDescription'],
		validUntil: 'endDate'
	},
	{
		serviceId: 'birth-registration',
		code: 3,
		authority: Authority.civilRegistry,
		holderName: ['childSurname', 'childGivenName', 'childPatronymic'],
		checkIin: 'motherIin',
		// The medical record and who brought it are the registry's file, not the certificate.
		omit: ['medicalRecordNumber', 'medicalOrgBin', 'informant', 'informantIin', 'informantName']
	},
	{
		serviceId: 'simplified-tax-declaration',
		code: 4,
		authority: Authority.stateRevenue,
		holderName: ['fullName'],
		holderIin: 'iin',
		checkIin: 'iin',
		omit: []
	}
];

export function templateOf(serviceId: string): DocumentTemplate | undefined {
	return TEMPLATES.find((t) => t.serviceId === serviceId);
}

export function templateByCode(code: number): DocumentTemplate | undefined {
	return TEMPLATES.find((t) => t.code === code);
}

/** A document's number as printed and typed to check it online: `DLD-0000042`. */
export function documentNumber(serial: number): string {
	return `DLD-${String(serial).padStart(7, '0')}`;
}
