/**
 * Argon2 runs on worker threads behind a bounded queue (accounts/passwords.ts): hashing
 * never holds the event loop, and a flood is refused at once rather than queued for minutes.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { argon2Verify } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { passwordPool } from '../../sync-server/accounts/passwords';
import { ServerBusy } from '../../sync-server/http/errors';

describe('password pool', () => {
	it('hashes to Argon2id PHC strings that verify, here and on the main thread', async () => {
		const pool = passwordPool();
		const hash = await pool.hash('correct horse battery staple');
		expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
		expect(await pool.verify('correct horse battery staple', hash)).toBe(true);
		expect(await pool.verify('wrong', hash)).toBe(false);
		expect(await pool.verify('anything', 'not a hash')).toBe(false);
		expect(await argon2Verify({ password: 'correct horse battery staple', hash })).toBe(true);
		expect(await pool.decoy()).toBe(await pool.decoy());
	});

	it('refuses work past its queue with ServerBusy, and does the rest', async () => {
		const pool = passwordPool({ workers: 1, maxQueued: 2 });
		const results = await Promise.allSettled(
			Array.from({ length: 5 }, (_, i) => pool.hash(`password ${i}`))
		);
		const refused = results.filter((r) => r.status === 'rejected');
		expect(refused.length).toBeGreaterThan(0);
		for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ServerBusy);
		expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(2);
	});

	it('keeps the event loop free while it hashes', async () => {
		const pool = passwordPool();
		await pool.hash('warm the thread up');
		// One hash on this thread: how long the loop would stall for each one.
		const hash = await pool.hash('x');
		const start = performance.now();
		await argon2Verify({ password: 'x', hash });
		const stall = performance.now() - start;

		const delay = monitorEventLoopDelay({ resolution: 5 });
		delay.enable();
		await Promise.all(Array.from({ length: 4 }, (_, i) => pool.hash(`password ${i}`)));
		delay.disable();
		// Pooled, four hashes never stall the loop for as long as one would here.
		expect(delay.max / 1e6).toBeLessThan(stall);
	});
});
