/**
 * Starts the sync server: `PORT` (3000), `HOST` (0.0.0.0), `DATABASE_URL` (postgres://…,
 * else embedded PGlite under `DATA_DIR`, default ./data), `STATIC_DIR` (the built app,
 * default ./build), `LOG_LEVEL` (info).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from './app';
import { openDatabase } from './db/open';
import { createLogger, isLogLevel, type Logger } from './log';

// Requests still in flight get this long to finish after a shutdown signal.
const SHUTDOWN_GRACE_MS = 10_000;

async function main(log: Logger): Promise<void> {
	const port = Number(process.env.PORT ?? 3000);
	const hostname = process.env.HOST ?? '0.0.0.0';
	const dataDir = process.env.DATA_DIR ?? './data';

	const database = await openDatabase({ url: process.env.DATABASE_URL, dataDir });

	const staticDir = resolve(process.env.STATIC_DIR ?? 'build');
	const hasBuild = existsSync(resolve(staticDir, 'index.html'));
	if (!hasBuild) {
		log.warn(`${staticDir} has no built app: serving the API only. Run \`npm run build\`.`);
	}

	const app = createApp({ db: database.db, log, staticDir: hasBuild ? staticDir : undefined });
	const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
		const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
		log.info(`listening on http://${host}:${info.port}`, {
			database: database.kind,
			...(database.kind === 'pglite' ? { dataDir: resolve(dataDir) } : {})
		});
	});

	let stopping = false;
	const shutdown = (signal: string) => {
		if (stopping) return;
		stopping = true;
		log.info('shutting down', { signal });
		// Stop taking requests, let those in flight finish, and only then close the database
		// they write to. A push cut short is not lost: the device retries it.
		const force = setTimeout(() => {
			log.warn('requests still open after the grace period; closing them');
			if ('closeAllConnections' in server) server.closeAllConnections();
		}, SHUTDOWN_GRACE_MS);
		force.unref();
		server.close(() => {
			database
				.close()
				.then(() => process.exit(0))
				.catch((error: unknown) => {
					log.error('closing the database failed', { error });
					process.exit(1);
				});
		});
	};
	process.on('SIGTERM', () => shutdown('SIGTERM'));
	process.on('SIGINT', () => shutdown('SIGINT'));
}

const levelName = process.env.LOG_LEVEL ?? 'info';
const log = createLogger({ level: isLogLevel(levelName) ? levelName : 'info' });
if (!isLogLevel(levelName)) log.warn('unknown LOG_LEVEL; using info', { LOG_LEVEL: levelName });

main(log).catch((error: unknown) => {
	log.error('the server could not start', { error });
	process.exit(1);
});
