/**
 * `npm run admin -- <command>` on the database the environment names (DATABASE_URL, else
 * PGlite under DATA_DIR), as the server would open it:
 *
 *   create-staff --role officer|reviewer|administrator --region <code> --name "…" [--login …]
 *       prints a one-time set-password link (SET_PASSWORD_BASE_URL, default
 *       http://localhost:3000) that expires in 24 hours. The first administrator is made so.
 *       The region is a REGIONS code (shared/services/address.ts) or `national`.
 *   verify-audit
 *       walks the audit chain; exits 1 and names the first broken row if any.
 *   rotate-document-key
 *       retires the key documents are signed with and makes its successor (needs the
 *       server's DOCUMENT_KEY_SECRET; docs/documents.md). What the old key signed stays genuine.
 *   compromise-document-key <key id> --since <ISO time>
 *       nothing that key signed from that time verifies any more; a key in force is replaced.
 *
 * Exits 2, having written nothing, on a command it cannot run: bad arguments, or a PGlite
 * directory another process (a running server) has open.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { STAFF_REGIONS, STAFF_ROLES, StaffLogin, StaffName } from '../../shared/accounts';
import { isPostgresUrl, openDatabase } from '../db/open';
import { verifyAudit } from './audit';
import { documentSecretFromEnv } from '../documents/key-secret';
import { compromiseDocumentKey, rotateDocumentKey } from '../documents/signing-keys';
import { createStaff, type NewStaff } from './staff';

const USAGE =
	'usage: npm run admin -- create-staff --role … --region … --name … | verify-audit | ' +
	'rotate-document-key | compromise-document-key <key id> --since <ISO time>';

const NewStaffArgs = v.object({
	role: v.picklist(STAFF_ROLES, `--role must be one of ${STAFF_ROLES.join(', ')}`),
	region: v.pipe(
		v.string('--region is required'),
		v.picklist(STAFF_REGIONS, `--region must be one of ${STAFF_REGIONS.join(', ')}`)
	),
	// The rules the administrator page's are (shared/accounts.ts), in the command's words.
	name: v.pipe(v.string('--name is required'), StaffName),
	login: v.optional(StaffLogin)
});

type Command =
	| { name: 'create-staff'; staff: NewStaff }
	| { name: 'verify-audit' }
	| { name: 'rotate-document-key' }
	| { name: 'compromise-document-key'; keyId: string; since: Date };

/** The command the arguments ask for; throws with a message for the person if they are wrong. */
function parseCommand([command, ...rest]: string[]): Command {
	if (command === 'verify-audit' && rest.length === 0) return { name: command };
	if (command === 'rotate-document-key' && rest.length === 0) return { name: command };
	if (command === 'compromise-document-key') {
		const { values, positionals } = parseArgs({
			args: rest,
			allowPositionals: true,
			options: { since: { type: 'string' } }
		});
		const since = new Date(values.since ?? '');
		if (positionals.length !== 1 || Number.isNaN(since.getTime())) {
			throw new Error('usage: compromise-document-key <key id> --since <ISO time>');
		}
		return { name: command, keyId: positionals[0]!, since };
	}
	if (command !== 'create-staff') throw new Error(USAGE);
	const { values } = parseArgs({
		args: rest,
		options: {
			role: { type: 'string' },
			region: { type: 'string' },
			name: { type: 'string' },
			login: { type: 'string' }
		}
	});
	// Every key present, if undefined: valibot reports a missing key in its own words, an
	// undefined value in ours ("--region is required").
	const { role, region, name, login } = values;
	return { name: command, staff: v.parse(NewStaffArgs, { role, region, name, login }) };
}

let parsed: Command;
try {
	parsed = parseCommand(process.argv.slice(2));
} catch (error) {
	console.error(error instanceof Error ? error.message : error);
	process.exit(2);
}

const url = process.env.DATABASE_URL;
const dataDir = process.env.DATA_DIR ?? './data';
// PGlite (0.5) does not lock its directory: a second process opens it as if alone, and
// what it writes is silently lost. This file exists while a process has the directory open
// (PGlite removes it on close; the pid in it is PGlite's own, -42, so it cannot be probed).
const openMark = join(dataDir, 'pglite', 'postmaster.pid');
if (!isPostgresUrl(url) && existsSync(openMark)) {
	console.error(
		`The database in ${dataDir} is open in another process: stop the server first.\n` +
			'(If no server is running, one stopped without closing it: start the server and stop ' +
			`it with Ctrl-C, or remove ${openMark}.)`
	);
	process.exit(2);
}

const database = await openDatabase({ url, dataDir, poolSize: 1 });
let exitCode = 0;
try {
	if (parsed.name === 'create-staff') {
		const { staff } = parsed;
		const made = await createStaff(database.db, staff);
		const base = process.env.SET_PASSWORD_BASE_URL ?? 'http://localhost:3000';
		// The token travels in the fragment: it never reaches a server log or a Referer.
		console.log(`Created ${staff.role} ${made.login} (${staff.region}).`);
		console.log(`Set-password link, valid until ${made.expiresAt.toISOString()}, once:`);
		console.log(`${base}/staff/set-password#${made.token}`);
	} else if (parsed.name === 'rotate-document-key') {
		const secret = await documentSecretFromEnv(process.env, dataDir);
		console.log(
			`Documents are now signed with key ${await rotateDocumentKey(database.db, secret)}.`
		);
	} else if (parsed.name === 'compromise-document-key') {
		const secret = await documentSecretFromEnv(process.env, dataDir);
		if (await compromiseDocumentKey(database.db, secret, parsed.keyId, parsed.since)) {
			console.log(
				`Key ${parsed.keyId} verifies nothing signed from ${parsed.since.toISOString()}.`
			);
		} else {
			console.error(`No document key ${parsed.keyId}.`);
			exitCode = 1;
		}
	} else {
		const verdict = await verifyAudit(database.db);
		if (verdict.ok) console.log(`audit log intact: ${verdict.rows} rows`);
		else {
			console.error(
				`audit log broken at seq ${verdict.seq} (${verdict.problem}) after ${verdict.rows} good rows`
			);
			exitCode = 1;
		}
	}
} catch (error) {
	console.error(error);
	exitCode = 2;
} finally {
	await database.close();
}
process.exit(exitCode);
