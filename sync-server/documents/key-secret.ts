/**
 * The secret that seals document signing keys in the database (signing-keys.ts):
 * `DOCUMENT_KEY_SECRET`, 32 random bytes as base64 or base64url (`openssl rand -base64 32`),
 * the same on every server of one database. Without it, the embedded database `npm start`
 * makes gets one generated on first start and kept beside it (`DATA_DIR/document-key-secret`,
 * readable by its owner only); a server on `DATABASE_URL` refuses to start, since a secret
 * kept on one server's disk would leave the others unable to sign.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isPostgresUrl } from '../db/open';
import { INSECURE_DEV_ACCOUNTS } from '../accounts/adapters';

const SECRET_BYTES = 32;
const SECRET_FILE = 'document-key-secret';

/**
 * The secret test servers share: never for a real server, which main.ts gives its own. Any
 * document signed under it is only as trustworthy as this line of source.
 */
export const DEVELOPMENT_DOCUMENT_SECRET = new Uint8Array(SECRET_BYTES).fill(0x44);

function parse(text: string, where: string): Uint8Array {
	const bytes = Buffer.from(
		text.trim(),
		text.includes('-') || text.includes('_') ? 'base64url' : 'base64'
	);
	if (bytes.length !== SECRET_BYTES) {
		throw new Error(`${where} must be ${SECRET_BYTES} bytes as base64 (openssl rand -base64 32)`);
	}
	return new Uint8Array(bytes);
}

export async function documentSecretFromEnv(
	env: NodeJS.ProcessEnv,
	dataDir: string
): Promise<Uint8Array> {
	if (env.DOCUMENT_KEY_SECRET) return parse(env.DOCUMENT_KEY_SECRET, 'DOCUMENT_KEY_SECRET');
	if (isPostgresUrl(env.DATABASE_URL)) {
		if (env[INSECURE_DEV_ACCOUNTS] === '1') return DEVELOPMENT_DOCUMENT_SECRET;
		throw new Error(
			'DOCUMENT_KEY_SECRET must be set on a server with DATABASE_URL: every server of the ' +
				'database signs documents with keys sealed under it (openssl rand -base64 32).'
		);
	}
	const file = join(dataDir, SECRET_FILE);
	try {
		return parse(await readFile(file, 'utf8'), file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
	await mkdir(dataDir, { recursive: true });
	const secret = randomBytes(SECRET_BYTES);
	// `wx`: two processes starting at once cannot both write; the loser reads the winner's.
	await writeFile(file, secret.toString('base64'), { mode: 0o600, flag: 'wx' }).catch(
		(error: NodeJS.ErrnoException) => {
			if (error.code !== 'EEXIST') throw error;
		}
	);
	return parse(await readFile(file, 'utf8'), file);
}
