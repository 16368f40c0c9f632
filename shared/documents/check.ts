/**
 * Checking a document with the register, online: by the number printed on it and the IIN
 * beside it (`GET /api/documents/check`). What /verify adds to the offline check when it
 * has a network, and what anyone can do with the paper alone and a browser.
 */
import * as v from 'valibot';
import { isValidIin } from '../iin';

const NUMBER = /^DLD-(\d{7,15})$/;

export const DocumentCheckQuery = v.pipe(
	v.object({
		number: v.pipe(
			v.string(),
			v.trim(),
			v.toUpperCase(),
			v.regex(NUMBER, 'expected DLD- and digits')
		),
		iin: v.pipe(
			v.string(),
			v.check((iin) => isValidIin(iin), 'expected a 12-digit IIN')
		)
	}),
	v.transform(({ number, iin }) => ({ serial: Number(NUMBER.exec(number)![1]), iin }))
);

export const DocumentCheck = v.object({
	/** Issued and standing, or revoked by an office since. */
	status: v.picklist(['issued', 'revoked']),
	serial: v.number(),
	serviceId: v.string(),
	issuedAt: v.string(),
	/** When it was revoked, ISO 8601; present exactly when revoked. */
	revokedAt: v.optional(v.string())
});
export type DocumentCheck = v.InferOutput<typeof DocumentCheck>;
