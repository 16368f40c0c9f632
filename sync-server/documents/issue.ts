/**
 * Issuing documents: signing them and recording them, inside the transaction that approves
 * their applications (the push for a rule's approval, office/review.ts for a reviewer's).
 * An approval without its document, or a document without its approval, cannot commit.
 */
import { sql } from 'drizzle-orm';
import { documentAnswers, encodeClaims } from '../../shared/documents/claims';
import { signCode } from '../../shared/documents/code';
import { templateOf } from '../../shared/documents/templates';
import type { ServiceDefinition } from '../../shared/services/definition';
import type { Answers } from '../../shared/services/validate';
import type { Transaction } from '../db/open';
import { documents } from '../db/schema';
import { rowsFrom, selectForInsert } from '../db/sql-rows';
import { zlibDeflate } from './compress';
import type { SigningKey } from './signing-keys';

/** An application being approved, as its document needs it. */
export interface Approval {
	applicationId: string;
	service: ServiceDefinition;
	answers: Answers;
}

export interface IssuedDocument {
	applicationId: string;
	serial: number;
	/** The signed code (`DL1:…`), kept on the application for its owner's device. */
	code: string;
	keyId: string;
	checkIin: string;
	issuedAt: Date;
}

/**
 * Signs a document for each approval whose service issues one, numbered from the serial
 * sequence in one statement. Writes nothing else: `recordDocuments` does, once the
 * applications are written.
 */
export async function signDocuments(
	tx: Transaction,
	key: SigningKey,
	approvals: readonly Approval[]
): Promise<Map<string, IssuedDocument>> {
	const issuing = approvals.filter((a) => templateOf(a.service.id));
	const issued = new Map<string, IssuedDocument>();
	if (issuing.length === 0) return issued;
	const serials = await tx
		.select({ serial: sql<string>`nextval('document_serial_seq')` })
		.from(sql`generate_series(1, ${issuing.length}::int)`);
	// To the second: the claims carry whole seconds, and the row must say what they say.
	const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
	await Promise.all(
		issuing.map(async (approval, i) => {
			const template = templateOf(approval.service.id)!;
			const serial = Number(serials[i]!.serial);
			const payload = encodeClaims({
				serial,
				serviceId: approval.service.id,
				serviceVersion: approval.service.version,
				authority: template.authority,
				issuedAt,
				answers: documentAnswers(approval.service, approval.answers)
			});
			issued.set(approval.applicationId, {
				applicationId: approval.applicationId,
				serial,
				code: await signCode(payload, key, zlibDeflate),
				keyId: key.id,
				checkIin: approval.answers[template.checkIin] ?? '',
				issuedAt
			});
		})
	);
	return issued;
}

/** Records issued documents, one statement however many; their applications must exist. */
export async function recordDocuments(
	tx: Transaction,
	issued: readonly IssuedDocument[]
): Promise<void> {
	if (issued.length === 0) return;
	await tx
		.insert(documents)
		.select(
			selectForInsert(
				documents,
				{
					serial: sql`d.serial`,
					applicationId: sql`d.application_id`,
					keyId: sql`d.key_id`,
					checkIin: sql`d.check_iin`,
					issuedAt: sql`d.issued_at`
				},
				rowsFrom(
					issued.map((d) => ({
						serial: d.serial,
						application_id: d.applicationId,
						key_id: d.keyId,
						check_iin: d.checkIin,
						issued_at: d.issuedAt.toISOString()
					})),
					'd',
					'serial bigint, application_id uuid, key_id text, check_iin text, issued_at timestamptz'
				)
			)
		)
		.prepare('record_documents')
		.execute();
}
