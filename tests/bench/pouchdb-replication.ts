/**
 * The comparison the design was chosen against: a device holding the same applications
 * in PouchDB (in memory, as a browser's IndexedDB would) replicates them to pouchdb-server
 * (CouchDB's HTTP protocol, LevelDB on disk) in batches of 100.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb-core';
import http from 'pouchdb-adapter-http';
import memory from 'pouchdb-adapter-memory';
import replication from 'pouchdb-replication';
import { cpuShare, sampleCpu, startPouchServer, type Running } from './processes';
import { wireBetween, wireTo, type WireCount } from './wire';

const Pouch = PouchDB.plugin(memory).plugin(http).plugin(replication);

/** A document as a PouchDB app would store an application. */
export type PouchDocument = { _id: string } & Record<string, unknown>;

export interface PouchResult {
	documents: number;
	seconds: number;
	requests: number;
	wire: WireCount;
	devices: number;
	/** `server` is pouchdb-server here; `bench` includes the devices' PouchDB. */
	cpu: ReturnType<typeof cpuShare>;
}

export interface PouchServer {
	server: Running;
	/** Replicates the documents from `devices` devices (an even share each) at once. */
	replicate(
		documents: readonly PouchDocument[],
		database: string,
		devices?: number
	): Promise<PouchResult>;
	stop(): Promise<void>;
}

/** Starts pouchdb-server in a temporary folder; `stop()` ends it and removes the folder. */
export async function startPouch(): Promise<PouchServer> {
	const dir = mkdtempSync(join(tmpdir(), 'dala-bench-pouchdb-'));
	// Log warnings only, as the sync server does with LOG_LEVEL=warn: no line per request.
	writeFileSync(join(dir, 'config.json'), JSON.stringify({ log: { level: 'warning' } }));
	const server = await startPouchServer(dir);
	const base = `http://127.0.0.1:${server.port}`;
	return {
		server,
		async replicate(documents, database, devices = 1) {
			// Each device's own database, filled before the clock starts.
			const share = Math.ceil(documents.length / devices);
			const locals = await Promise.all(
				Array.from({ length: devices }, async (_, d) => {
					const local = new Pouch(`device-${database}-${d}`, { adapter: 'memory' });
					const mine = documents.slice(d * share, (d + 1) * share);
					for (let i = 0; i < mine.length; i += 1000) {
						await local.bulkDocs(mine.slice(i, i + 1000));
					}
					return local;
				})
			);
			let requests = 0;
			const remote = () =>
				new Pouch(`${base}/${database}`, {
					fetch: (url, options) => {
						requests++;
						return Pouch.fetch(url, options);
					}
				});
			const remotes = locals.map(remote);
			await remotes[0]?.info(); // creates the database: not part of replication
			requests = 0;
			const before = wireTo(server.port);
			const cpuBefore = sampleCpu(server.pid);
			const start = performance.now();
			const results = await Promise.all(
				locals.map((local, d) => local.replicate.to(remotes[d]!, { batch_size: 100 }))
			);
			const seconds = (performance.now() - start) / 1000;
			const cpu = cpuShare(cpuBefore, sampleCpu(server.pid));
			const wire = wireBetween(before, wireTo(server.port));
			const written = results.reduce((total, r) => total + r.docs_written, 0);
			if (written !== documents.length || results.some((r) => r.doc_write_failures !== 0)) {
				throw new Error(`PouchDB wrote ${written} of ${documents.length}`);
			}
			await Promise.all([...locals.map((l) => l.destroy()), ...remotes.map((r) => r.close())]);
			return { documents: documents.length, seconds, requests, wire, devices, cpu };
		},
		async stop() {
			await server.stop();
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
