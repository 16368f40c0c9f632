/**
 * The little of PouchDB's API the benchmark uses. Not @types/pouchdb-core: it declares a
 * global `interface Buffer` of its own, which merges with Node's and breaks the type of
 * every Buffer in the project.
 */
declare module 'pouchdb-core' {
	export type Fetch = (url: string, options: Record<string, unknown>) => Promise<unknown>;

	export interface ReplicationResult {
		ok: boolean;
		docs_read: number;
		docs_written: number;
		doc_write_failures: number;
	}

	export interface Database {
		bulkDocs(docs: readonly ({ _id: string } & Record<string, unknown>)[]): Promise<unknown[]>;
		info(): Promise<{ db_name: string; doc_count: number }>;
		replicate: {
			to(target: Database, options: { batch_size: number }): Promise<ReplicationResult>;
		};
		destroy(): Promise<void>;
		close(): Promise<void>;
	}

	export interface Static {
		new (name: string, options?: { adapter?: string; fetch?: Fetch }): Database;
		plugin(plugin: Plugin): Static;
		fetch: Fetch;
	}

	export interface Plugin {
		readonly __pouchPlugin: unique symbol;
	}

	const PouchDB: Static;
	export default PouchDB;
}

declare module 'pouchdb-adapter-memory' {
	import type { Plugin } from 'pouchdb-core';
	const plugin: Plugin;
	export default plugin;
}

declare module 'pouchdb-adapter-http' {
	import type { Plugin } from 'pouchdb-core';
	const plugin: Plugin;
	export default plugin;
}

declare module 'pouchdb-replication' {
	import type { Plugin } from 'pouchdb-core';
	const plugin: Plugin;
	export default plugin;
}
