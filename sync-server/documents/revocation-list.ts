/**
 * The signed revocation list as this server publishes it (`GET /api/documents/revoked`,
 * shared/documents/revocation.ts for its form). Read from `applications.document_revoked_at`,
 * the one place a revocation is recorded (office/revoke.ts).
 *
 * Every request counts the revoked documents (an index of those rows alone) and signs anew
 * only when the count moved or the list is a minute old. A revocation is never undone, so
 * a count the server has signed before names the same documents: a revocation made on any
 * server is in the next list every server hands out, with no cache to wait for.
 */
import { isNotNull, sql } from 'drizzle-orm';
import {
	revocationBits,
	signRevocationList,
	type RevocationList
} from '../../shared/documents/revocation';
import type { Database } from '../db/open';
import { applications, documents } from '../db/schema';
import { zlibDeflate } from './compress';
import type { DocumentKeys } from './signing-keys';

/** How long one signed list is handed out while nothing is revoked. */
const LIST_TTL_MS = 60_000;

export interface RevocationLists {
	/** The list's text as it travels, and its number. */
	current(): Promise<{ text: string; number: number }>;
}

export function revocationListStore(
	db: Database,
	keys: DocumentKeys,
	now: () => number = Date.now
): RevocationLists {
	let signed: { text: string; number: number; at: number } | undefined;

	async function sign(): Promise<{ text: string; number: number; at: number }> {
		const at = now();
		const rows = await db
			.select({ serial: documents.serial })
			.from(applications)
			.innerJoin(documents, sql`${documents.applicationId} = ${applications.id}`)
			.where(isNotNull(applications.documentRevokedAt));
		const serials = rows.map((r) => r.serial);
		const list: RevocationList = {
			number: serials.length,
			// To the second, as the list carries it.
			issuedAt: new Date(Math.floor(at / 1000) * 1000),
			bits: revocationBits(serials)
		};
		const text = await signRevocationList(list, await keys.current(), zlibDeflate);
		return { text, number: list.number, at };
	}

	return {
		async current() {
			const [{ count }] = (await db
				.select({ count: sql<number>`count(*)::int` })
				.from(applications)
				.where(isNotNull(applications.documentRevokedAt))) as [{ count: number }];
			if (!signed || signed.number !== count || now() - signed.at >= LIST_TTL_MS) {
				signed = await sign();
			}
			return { text: signed.text, number: signed.number };
		}
	};
}
