/**
 * The back office of the catch-up: a reviewer for each region its applications are in (a
 * reviewer decides only in their own region, the national queue being one), each made with
 * createStaff on the server's database, as the admin CLI makes one, and signed in over
 * HTTP as staff sign in. Not timed.
 */
import { NATIONAL_REGION } from '../../shared/accounts';
import { regionOf } from '../../shared/services/region';
import { createStaff } from '../../sync-server/accounts/staff';
import { openDatabase } from '../../sync-server/db/open';
import { createLogger } from '../../sync-server/http/log';
import { StaffDevice } from '../support/staff-device';
import { asQueued, type TypedApplication } from './documents';

/** The region whose reviewers decide `application`, as the server stores it. */
export function reviewRegion(application: TypedApplication): string {
	return regionOf(application.service, asQueued(application)) ?? NATIONAL_REGION;
}

/** A signed-in reviewer of each region in `regions`, by region. */
export async function signedInReviewers(
	databaseUrl: string,
	port: number,
	regions: ReadonlySet<string>
): Promise<Map<string, StaffDevice>> {
	const database = await openDatabase({
		url: databaseUrl,
		poolSize: 1,
		log: createLogger({ level: 'warn' })
	});
	const tokens = new Map<string, string>();
	try {
		for (const region of regions) {
			const made = await createStaff(database.db, {
				role: 'reviewer',
				region,
				name: `Bench reviewer ${region}`
			});
			tokens.set(region, made.token);
		}
	} finally {
		await database.close();
	}
	const reviewers = new Map<string, StaffDevice>();
	for (const [region, token] of tokens) {
		reviewers.set(region, await StaffDevice.signIn(`http://127.0.0.1:${port}`, token));
	}
	return reviewers;
}
