/**
 * No person's data reaches the log (http/log.ts): a failed statement is logged by its
 * SQLSTATE, constraint and statement text, never its parameters, whether the failure is a
 * unique IIN or a push of whole answers that the database refused.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { accounts } from '../../sync-server/db/schema';
import { createLogger } from '../../sync-server/http/log';
import { backends } from './backends';
import { newDevice, push, submit, useSuite, validIin, testApp } from './helpers';

/** A logger whose lines are kept, at every level. */
function capturedLog() {
	const lines: string[] = [];
	return { log: createLogger({ level: 'debug', write: (line) => lines.push(line) }), lines };
}

describe.each(backends)('log privacy on $name', (backend) => {
	const suite = useSuite(backend);

	it('logs a unique violation on an IIN by its code and constraint, not the IIN', async () => {
		const iin = validIin(900);
		await suite.db.insert(accounts).values({ role: 'citizen', iin, ownerId: 'owner-a' });
		const error = await suite.db
			.insert(accounts)
			.values({ role: 'citizen', iin, ownerId: 'owner-b' })
			.then(
				() => undefined,
				(thrown: unknown) => thrown
			);
		expect(error).toBeInstanceOf(Error);
		// The error itself carries the IIN: this is what must not be written out.
		expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).toContain(iin);

		const { log, lines } = capturedLog();
		log.error('unhandled error', { error });
		expect(lines).toHaveLength(1);
		expect(lines[0]).not.toContain(iin);
		expect(lines[0]).not.toContain('owner-b');
		const { error: logged } = JSON.parse(lines[0]!);
		expect(logged.statement).toMatch(/^insert into "accounts"/);
		expect(logged.cause).toMatchObject({ code: '23505', constraint: 'accounts_iin_unique' });
	});

	it('a push the database refuses is a 500 whose log line has no answer in it', async () => {
		const { log, lines } = capturedLog();
		const app = testApp(suite.db, { log });
		const device = await newDevice(app);
		// A fault only the database knows of: every new application is refused by a trigger.
		await suite.db.execute(sql`
			create function refuse_application() returns trigger language plpgsql as $$
			begin raise exception 'refused by the test'; end $$`);
		await suite.db.execute(sql`
			create trigger refuse_application before insert on applications
			for each row execute function refuse_application()`);
		try {
			const mutation = submit({ seq: 1 });
			const res = await push(app, device, { mutations: [mutation] });
			expect(res.status).toBe(500);
			expect(res.json.error.code).toBe('internal');
			const logged = lines.filter((line) => line.includes('"level":"error"'));
			expect(logged).toHaveLength(1);
			const line = logged[0]!;
			expect(line).toContain('P0001');
			expect(line).toContain('"statement"');
			for (const value of [
				validIin(),
				'Aigerim',
				'Seitkali',
				'Talgar',
				'+77012345678',
				'7012345678',
				mutation.applicationId
			]) {
				expect(line, value).not.toContain(value);
			}
		} finally {
			await suite.db.execute(sql`drop trigger refuse_application on applications`);
			await suite.db.execute(sql`drop function refuse_application()`);
		}
	});
});
