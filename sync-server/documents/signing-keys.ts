/**
 * The keys documents are signed with. They live in the database, so every server signs with
 * the same key and publishes the same trust list; the private half is sealed under a secret
 * from configuration (key-secret.ts), so a copy of the database alone forges nothing.
 *
 * The newest key neither retired nor compromised signs. A server keeps it in memory for up
 * to a minute: a rotation made on one server reaches the others within that (docs/documents.md).
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { KEY_ID_BYTES, SIGNING_ALGORITHM } from '../../shared/documents/cose';
import type { TrustList } from '../../shared/documents/trust';
import type { Database, Transaction } from '../db/open';
import { documentKeys } from '../db/schema';

/** How long a server signs with the key it read before reading again. */
const CURRENT_KEY_TTL_MS = 60_000;
/**
 * How far after a rotation the retired key's retirement time is set: past the last moment
 * any server may still sign with it (its cached minute, and as much again for clocks that
 * disagree), so that nothing it signs in that minute reads as signed after it retired.
 */
const RETIREMENT_GRACE_MS = 2 * CURRENT_KEY_TTL_MS;
/** Its own advisory lock: two servers starting at once make one key, not two. */
const KEY_MAKING_LOCK = 1_684_627_020;

export interface SigningKey {
	/** base64url of `keyId`. */
	id: string;
	keyId: Uint8Array;
	privateKey: CryptoKey;
}

export interface DocumentKeys {
	/** The key new documents are signed with; made when there is none yet. */
	current(): Promise<SigningKey>;
	/** Every key, for the published trust list. */
	trustList(): Promise<TrustList>;
}

function base64url(bytes: Uint8Array): string {
	return Buffer.from(bytes).toString('base64url');
}

async function aesKey(secret: Uint8Array): Promise<CryptoKey> {
	return crypto.subtle.importKey('raw', new Uint8Array(secret), 'AES-GCM', false, [
		'encrypt',
		'decrypt'
	]);
}

/** The key store over `db`, sealing private keys under `secret` (32 bytes). */
export function documentKeyStore(
	db: Database,
	secret: Uint8Array,
	now: () => number = Date.now
): DocumentKeys {
	if (secret.length !== 32) throw new Error('the document key secret is 32 bytes');
	const sealing = aesKey(secret);
	let cached: { key: Promise<SigningKey>; until: number } | undefined;

	async function unseal(id: string, sealed: string): Promise<SigningKey> {
		const bytes = Buffer.from(sealed, 'base64url');
		const pkcs8 = await crypto.subtle
			.decrypt(
				{ name: 'AES-GCM', iv: bytes.subarray(0, 12), additionalData: Buffer.from(id) },
				await sealing,
				bytes.subarray(12)
			)
			.catch(() => {
				throw new Error(
					`document key ${id} cannot be opened with this DOCUMENT_KEY_SECRET: ` +
						'every server must be given the same secret'
				);
			});
		const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, SIGNING_ALGORITHM, false, [
			'sign'
		]);
		return { id, keyId: new Uint8Array(Buffer.from(id, 'base64url')), privateKey };
	}

	async function readCurrent(): Promise<SigningKey> {
		const inForce = (q: Database | Transaction) =>
			q
				.select({ id: documentKeys.id, privateKey: documentKeys.privateKey })
				.from(documentKeys)
				.where(and(isNull(documentKeys.retiredAt), isNull(documentKeys.compromisedAt)))
				.orderBy(desc(documentKeys.createdAt))
				.limit(1);
		const [row] = await inForce(db);
		if (row) return unseal(row.id, row.privateKey);
		const made = await db.transaction(async (tx) => {
			await tx.execute(sql`select pg_advisory_xact_lock(${KEY_MAKING_LOCK})`);
			const [again] = await inForce(tx);
			return again ?? (await makeKey(tx, await sealing));
		});
		return unseal(made.id, made.privateKey);
	}

	return {
		current() {
			const at = now();
			if (!cached || cached.until <= at) {
				const key = readCurrent();
				cached = { key, until: at + CURRENT_KEY_TTL_MS };
				// A failed read is not kept: the next document tries again.
				key.catch(() => {
					if (cached?.key === key) cached = undefined;
				});
			}
			return cached.key;
		},
		async trustList() {
			const rows = await db.select().from(documentKeys).orderBy(documentKeys.createdAt);
			return {
				keys: rows.map((row) => ({
					id: row.id,
					publicKey: row.publicKey,
					createdAt: row.createdAt.toISOString(),
					...(row.retiredAt ? { retiredAt: row.retiredAt.toISOString() } : {}),
					...(row.compromisedAt ? { compromisedAt: row.compromisedAt.toISOString() } : {})
				}))
			};
		}
	};
}

/** A new P-256 key pair, stored with its private half sealed; answers its row. */
async function makeKey(tx: Transaction, sealing: CryptoKey) {
	const pair = (await crypto.subtle.generateKey(SIGNING_ALGORITHM, true, [
		'sign',
		'verify'
	])) as CryptoKeyPair;
	const id = base64url(crypto.getRandomValues(new Uint8Array(KEY_ID_BYTES)));
	const { x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
	if (!x || !y) throw new Error('a P-256 public key has x and y');
	const pkcs8 = await crypto.subtle.exportKey('pkcs8', pair.privateKey);
	const iv = crypto.getRandomValues(new Uint8Array(12));
	// The id is authenticated with the key: a sealed key moved to another row will not open.
	const sealed = await crypto.subtle.encrypt(
		{ name: 'AES-GCM', iv, additionalData: Buffer.from(id) },
		sealing,
		pkcs8
	);
	const privateKey = base64url(Buffer.concat([iv, new Uint8Array(sealed)]));
	const [row] = await tx
		.insert(documentKeys)
		.values({ id, publicKey: { kty: 'EC', crv: 'P-256', x, y }, privateKey })
		.returning({ id: documentKeys.id, privateKey: documentKeys.privateKey });
	return row!;
}

/**
 * Retires the key in force and makes its successor, in one transaction: documents signed
 * from now on use the new key, and the old one still verifies what it signed. Answers the
 * new key's id.
 */
export async function rotateDocumentKey(db: Database, secret: Uint8Array): Promise<string> {
	const sealing = await aesKey(secret);
	return db.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(${KEY_MAKING_LOCK})`);
		await tx
			.update(documentKeys)
			.set({ retiredAt: sql`now() + ${RETIREMENT_GRACE_MS} * interval '1 millisecond'` })
			.where(isNull(documentKeys.retiredAt));
		return (await makeKey(tx, sealing)).id;
	});
}

/**
 * Marks a key compromised from `since` (its private half may have been taken then): nothing
 * it signed from then verifies. A key still in force is retired too, and a new one made.
 * Answers false when there is no such key.
 */
export async function compromiseDocumentKey(
	db: Database,
	secret: Uint8Array,
	id: string,
	since: Date
): Promise<boolean> {
	const [row] = await db
		.update(documentKeys)
		.set({
			compromisedAt: since,
			retiredAt: sql`coalesce(${documentKeys.retiredAt}, least(now(), ${since.toISOString()}::timestamptz))`
		})
		.where(eq(documentKeys.id, id))
		.returning({ id: documentKeys.id });
	if (!row) return false;
	// A server must never be left without a key to sign with.
	await documentKeyStore(db, secret).current();
	return true;
}
