import {
	WAITING,
	type QueueItem,
	type QueueQuery,
	type QueueResponse
} from '../../../../shared/office';
import { isValidIin } from '../../../../shared/iin';
import { REFERENCE_PATTERN } from '../../../../shared/reference';
import { workQueue } from '$lib/office/office-api';
import { SyncError } from '$lib/sync/transport';

export type QueueProblem = 'signed_out' | 'no_queue' | 'failed';

/** What the address asks of the queue: its filters, or a search. */
export function queueQueryOf(params: URLSearchParams): QueueQuery {
	const get = (name: string) => params.get(name) || undefined;
	return {
		status: (get('status') ?? WAITING) as QueueQuery['status'],
		service: get('service'),
		assigned: get('assigned') as QueueQuery['assigned'],
		q: get('q')
	};
}

/** Whether a search may go to the server: a reference or a valid IIN (docs/office.md). */
export function searchable(text: string): boolean {
	const compact = text.replace(/\s/g, '');
	return REFERENCE_PATTERN.test(compact.toUpperCase()) || isValidIin(compact);
}

/**
 * The reviewer's queue as the page shows it: the first page for what the address asks,
 * then more pages appended on request. Every load replaces what a slower earlier one
 * would have shown, so changing a filter twice quickly never shows the first's list.
 */
export class WorkQueue {
	counts = $state.raw<Pick<QueueResponse, 'byStatus' | 'byService'>>({
		byStatus: {},
		byService: {}
	});
	items = $state.raw<QueueItem[]>([]);
	next = $state<string | undefined>();
	loading = $state(true);
	problem = $state<QueueProblem | undefined>();
	#query: QueueQuery = {};
	#generation = 0;

	async load(query: QueueQuery): Promise<void> {
		this.#query = query;
		const generation = ++this.#generation;
		this.loading = true;
		try {
			const page = await workQueue(query);
			if (generation !== this.#generation) return;
			this.counts = { byStatus: page.byStatus, byService: page.byService };
			this.items = page.items;
			this.next = page.next;
			this.problem = undefined;
		} catch (error) {
			if (generation === this.#generation) this.problem = problemOf(error);
		} finally {
			if (generation === this.#generation) this.loading = false;
		}
	}

	async more(): Promise<void> {
		if (!this.next || this.loading) return;
		const generation = this.#generation;
		this.loading = true;
		try {
			const page = await workQueue({ ...this.#query, after: this.next });
			if (generation !== this.#generation) return;
			this.items = [...this.items, ...page.items];
			this.next = page.next;
		} catch (error) {
			if (generation === this.#generation) this.problem = problemOf(error);
		} finally {
			if (generation === this.#generation) this.loading = false;
		}
	}
}

function problemOf(error: unknown): QueueProblem {
	if (error instanceof SyncError && error.kind === 'signed_out') return 'signed_out';
	if (error instanceof SyncError && error.status === 403) return 'no_queue';
	return 'failed';
}
