/** What the benchmark asks of its PostgreSQL besides a scratch database. */
import postgres from 'postgres';

/** `server_version` of the PostgreSQL at `url`, e.g. "15.20 (Debian 15.20-0+deb12u1)". */
export async function postgresVersion(url: string): Promise<string> {
	const sql = postgres(url, { max: 1 });
	try {
		const [row] = await sql<{ server_version: string }[]>`show server_version`;
		return row?.server_version ?? 'unknown';
	} finally {
		await sql.end();
	}
}
