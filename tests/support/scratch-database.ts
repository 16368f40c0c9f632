/**
 * A database of a suite's own on a real PostgreSQL, dropped afterwards, so a run starts
 * from empty tables and leaves nothing behind.
 */
import postgres from 'postgres';

/** True when a PostgreSQL answers at `url` within `seconds`. */
export async function canConnect(url: string, seconds = 2): Promise<boolean> {
	const probe = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: seconds });
	try {
		await probe`select 1`;
		return true;
	} catch {
		return false;
	} finally {
		await probe.end({ timeout: 1 });
	}
}

export interface ScratchDatabase {
	url: string;
	name: string;
	/** Drops the database, closing whatever is still connected to it. */
	drop(): Promise<void>;
}

/** Makes the empty database `name` next to the one `adminUrl` names. */
export async function createScratchDatabase(
	adminUrl: string,
	name: string
): Promise<ScratchDatabase> {
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
	try {
		await admin.unsafe(`create database "${name}"`);
	} catch (error) {
		await admin.end({ timeout: 1 });
		throw new Error(
			`cannot create a scratch database through ${adminUrl}: ${String(error)}. ` +
				'Start PostgreSQL (pg_ctlcluster 15 main start) or point the URL at one.'
		);
	}
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		name,
		async drop() {
			try {
				await admin.unsafe(`drop database if exists "${name}" with (force)`);
			} finally {
				await admin.end({ timeout: 5 });
			}
		}
	};
}
