import type { Random } from './random';

/** What the simulated network did to one request. */
export type Fault =
	| 'none'
	| 'drop' // never reached the server
	| 'lost-response' // the server committed; the answer never arrived
	| 'duplicate' // the server received it twice
	| 'cut-body' // the answer arrived cut short
	| 'unavailable' // 503 before the server saw it
	| 'error-after-commit' // the server committed, then a proxy answered 500
	| 'stale-replay'; // delivered now, and a copy again later, out of order

export type Handler = (request: Request) => Promise<Response>;

interface Captured {
	url: string;
	init: RequestInit;
}

/**
 * The network between the simulated devices and the server: a fetch that sends requests
 * to the current server (which may be restarted between calls) and, while faults are on,
 * does to them what a rural 2G link and its proxies do.
 */
export class FaultyNetwork {
	faultRate = 0.35;
	readonly counts: Record<Fault, number> = {
		none: 0,
		drop: 0,
		'lost-response': 0,
		duplicate: 0,
		'cut-body': 0,
		unavailable: 0,
		'error-after-commit': 0,
		'stale-replay': 0
	};
	readonly #random: Random;
	readonly #server: () => Handler;
	readonly #captured: Captured[] = [];

	constructor(random: Random, server: () => Handler) {
		this.#random = random;
		this.#server = server;
	}

	/** The fetch each device's real transport uses. */
	readonly fetch = async (url: string, init: RequestInit): Promise<Response> => {
		const fault: Fault =
			this.faultRate > 0 && this.#random.chance(this.faultRate)
				? this.#random.weighted({
						drop: 3,
						'lost-response': 3,
						duplicate: 2,
						'cut-body': 2,
						unavailable: 1,
						'error-after-commit': 2,
						'stale-replay': 2
					})
				: 'none';
		this.counts[fault] += 1;
		const deliver = () => this.#server()(new Request(url, { ...init, signal: null }));
		switch (fault) {
			case 'none':
				return deliver();
			case 'drop':
				throw new TypeError('fetch failed: connection reset');
			case 'lost-response':
				await (await deliver()).arrayBuffer();
				throw new TypeError('fetch failed: connection reset after the request was sent');
			case 'duplicate':
				await (await deliver()).arrayBuffer();
				return deliver();
			case 'cut-body': {
				const response = await deliver();
				const text = await response.text();
				return new Response(text.slice(0, this.#random.int(Math.max(1, text.length))), {
					status: response.status,
					headers: { 'content-type': 'application/json' }
				});
			}
			case 'unavailable':
				return Response.json(
					{ error: { code: 'internal', message: 'Service Unavailable' } },
					{ status: 503 }
				);
			case 'error-after-commit':
				await (await deliver()).arrayBuffer();
				return Response.json(
					{ error: { code: 'internal', message: 'Bad Gateway' } },
					{ status: 502 }
				);
			case 'stale-replay':
				this.#captured.push({ url, init });
				return deliver();
		}
	};

	/** Delivers a copy of an earlier request now, as a late duplicate; its answer is lost. */
	async replayStale(): Promise<void> {
		if (this.#captured.length === 0) return;
		const { url, init } = this.#captured.splice(this.#random.int(this.#captured.length), 1)[0]!;
		await (await this.#server()(new Request(url, { ...init, signal: null }))).arrayBuffer();
	}
}
