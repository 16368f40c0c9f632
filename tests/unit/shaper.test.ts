import { describe, expect, it } from 'vitest';
import { pace, sequentialRoundTrips, type LinkState } from '../bench/shaper';

const G2 = { delayMs: 400, bytesPerSecond: 35_000 };

describe('the 2G shaper of bench:issue', () => {
	it('delivers bytes after their time on the link plus the one-way delay', () => {
		const link: LinkState = { freeAt: 0 };
		// 35,000 bytes take a second to send, then 400 ms to arrive.
		expect(pace(link, 1000, 35_000, G2)).toBe(2400);
		expect(link.freeAt).toBe(2000);
	});

	it('queues what reaches a busy link behind what is on it, whichever connection sent it', () => {
		const link: LinkState = { freeAt: 0 };
		pace(link, 0, 3500, G2); // on the link until 100 ms
		expect(pace(link, 50, 3500, G2)).toBe(600);
		// A link idle since then starts at once.
		expect(pace(link, 1000, 0, G2)).toBe(1400);
	});

	it('counts requests in flight together as one round trip', () => {
		expect(sequentialRoundTrips([])).toBe(0);
		expect(
			sequentialRoundTrips([
				{ start: 0, end: 800 },
				{ start: 100, end: 900 },
				{ start: 900, end: 1700 },
				{ start: 2000, end: 2800 }
			])
		).toBe(3);
	});
});
