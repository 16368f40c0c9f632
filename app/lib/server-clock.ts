import { Header } from '../../shared/protocol';

/**
 * The server's clock as this device knows it. A signed request carries its time, and the
 * server refuses one outside a few minutes of its own clock (`stale_request`); phones are
 * often set hours wrong, by hand or by a flat battery. So requests are signed by the
 * server's time: the local clock plus the offset learned from `Dala-Server-Time`, which
 * every answer of the server carries (refusals too). The offset is off by at most the
 * answer's time in flight, seconds against a window of minutes.
 *
 * Kept in memory, one per page or service worker: a fresh one starts at the local clock,
 * so a device set far wrong pays one refused request per start, which the sender repeats
 * at once with the corrected time. Here, not in sync/, because files/ signs too.
 */
export class ServerClock {
	readonly #local: () => number;
	#offset = 0;

	constructor(local: () => number = Date.now) {
		this.#local = local;
	}

	/** The server's time now, in milliseconds, as far as this device can tell. */
	now(): number {
		return this.#local() + this.#offset;
	}

	/** Learns the offset from an answer's headers; an answer without the header changes nothing. */
	observe(headers: { get(name: string): string | null | undefined }): void {
		const text = headers.get(Header.serverTime);
		if (!text || !/^[0-9]{1,16}$/.test(text)) return;
		this.#offset = Number(text) - this.#local();
	}
}

/** The clock every request of this page (or service worker) is signed by. */
export const serverClock = new ServerClock();
