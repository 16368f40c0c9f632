import { accountDevices, removeDevice, type AccountDevice } from '$lib/accounts/account-devices';
import type { DalaDatabase } from '$lib/db/database';
import { SyncError } from '$lib/sync/transport';

/** Why the list is not shown: no connection, or the server could not answer. */
export type ListProblem = 'offline' | 'failed';

/** The account's devices as the page shows them, and removing one (two steps). */
export class AccountDevicesState {
	devices = $state<AccountDevice[] | undefined>();
	problem = $state<ListProblem | undefined>();
	/** The device whose removal waits for the person's "yes". */
	confirming = $state<string | undefined>();
	busy = $state(false);
	readonly #db: DalaDatabase;

	constructor(db: DalaDatabase) {
		this.#db = db;
	}

	async load(): Promise<void> {
		this.busy = true;
		try {
			this.devices = await accountDevices(this.#db);
			this.problem = undefined;
		} catch (error) {
			this.problem = error instanceof SyncError && error.kind === 'offline' ? 'offline' : 'failed';
		} finally {
			this.busy = false;
		}
	}

	async remove(id: string): Promise<void> {
		this.busy = true;
		try {
			await removeDevice(this.#db, id);
			this.confirming = undefined;
		} catch (error) {
			this.problem = error instanceof SyncError && error.kind === 'offline' ? 'offline' : 'failed';
		} finally {
			this.busy = false;
		}
		await this.load();
	}
}
