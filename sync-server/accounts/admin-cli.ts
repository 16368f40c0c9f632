/**
 * `npm run admin -- <command>` on the database the environment names (DATABASE_URL, else
 * PGlite under DATA_DIR), as the server would open it:
 *
 *   create-staff --role officer|reviewer|administrator --region <code> --name "…" [--login …]
 *       prints a one-time set-password link (SET_PASSWORD_BASE_URL, default
 *       http://localhost:3000) that expires in 24 hours. The first administrator is made so.
 *   verify-audit
 *       walks the audit chain; exits 1 and names the first broken row if any.
 *
 * Never run it against a PGlite directory a running server has open.
 */
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { STAFF_ROLES } from '../../shared/accounts';
import { openDatabase } from '../db/open';
import { verifyAudit } from './audit';
import { createStaff } from './staff';

const [command, ...rest] = process.argv.slice(2);
const database = await openDatabase({
	url: process.env.DATABASE_URL,
	dataDir: process.env.DATA_DIR ?? './data',
	poolSize: 1
});
let exitCode = 0;
try {
	if (command === 'create-staff') {
		const { values } = parseArgs({
			args: rest,
			options: {
				role: { type: 'string' },
				region: { type: 'string' },
				name: { type: 'string' },
				login: { type: 'string' }
			}
		});
		const staff = v.parse(
			v.object({
				role: v.picklist(STAFF_ROLES, `--role must be one of ${STAFF_ROLES.join(', ')}`),
				region: v.pipe(v.string('--region is required'), v.regex(/^[A-Za-z0-9-]{1,32}$/)),
				name: v.pipe(v.string('--name is required'), v.trim(), v.minLength(1), v.maxLength(200)),
				login: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9._-]{3,64}$/)))
			}),
			values
		);
		const made = await createStaff(database.db, staff);
		const base = process.env.SET_PASSWORD_BASE_URL ?? 'http://localhost:3000';
		// The token travels in the fragment: it never reaches a server log or a Referer.
		console.log(`Created ${staff.role} ${made.login} (${staff.region}).`);
		console.log(`Set-password link, valid until ${made.expiresAt.toISOString()}, once:`);
		console.log(`${base}/staff/set-password#${made.token}`);
	} else if (command === 'verify-audit') {
		const verdict = await verifyAudit(database.db);
		if (verdict.ok) console.log(`audit log intact: ${verdict.rows} rows`);
		else {
			console.error(
				`audit log broken at seq ${verdict.seq} (${verdict.problem}) after ${verdict.rows} good rows`
			);
			exitCode = 1;
		}
	} else {
		console.error(
			'usage: npm run admin -- create-staff --role … --region … --name … | verify-audit'
		);
		exitCode = 2;
	}
} catch (error) {
	console.error(error instanceof v.ValiError ? error.message : error);
	exitCode = 2;
} finally {
	await database.close();
}
process.exit(exitCode);
