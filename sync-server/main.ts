/**
 * Starts the sync server: `PORT` (3000), `HOST` (0.0.0.0), `DATABASE_URL` (postgres://…,
 * else embedded PGlite under `DATA_DIR`, default ./data), `DATABASE_POOL_SIZE` (10
 * connections per process, PostgreSQL only), `STATIC_DIR` (the built app, default
 * ./build), `LOG_LEVEL` (info), and
 * `S3_BUCKET`, `S3_ENDPOINT`, `S3_REGION`, `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY` (keep
 * uploaded files in an S3-compatible bucket rather than under `DATA_DIR/files`), and
 * `DALA_SERVICES` (a JSON file of service definitions to accept and publish in place of
 * the bundled ones; see sync-server/catalogue/catalogue.ts), `REQUEST_WINDOW_SECONDS`
 * (300: how far a signed request's time may be from this server's clock). Limits (http/limits.ts):
 * `MAX_CONNECTIONS`, `HEADERS_TIMEOUT_S`, `IDLE_TIMEOUT_S`, `RATE_LIMITS`,
 * `MAX_UNFINISHED_UPLOADS`, `MAX_UNFINISHED_UPLOAD_BYTES`, `TRUST_PROXY`.
 * Accounts: `SMS_GATEWAY_URL`, `SMS_GATEWAY_TOKEN`, `PHONE_REGISTER_URL`, `PHONE_REGISTER_TOKEN` (sign-in
 * codes and the phone register; without them the development ones, which say so, and which a
 * server on `DATABASE_URL` refuses unless `DALA_INSECURE_DEV_ACCOUNTS=1`: docs/accounts.md), and
 * `SESSION_ACCESS_SECONDS`, `SESSION_REFRESH_SECONDS` (how long sessions last).
 * Documents: `DOCUMENT_KEY_SECRET` (seals the signing keys; documents/key-secret.ts).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { accountAdaptersFromEnv } from './accounts/adapters';
import { sessionLifetimesFromEnv } from './accounts/sessions';
import { createApp } from './app';
import { documentSecretFromEnv } from './documents/key-secret';
import { documentKeyStore } from './documents/signing-keys';
import { catalogueFromEnv } from './catalogue/catalogue';
import { DEFAULT_POOL_SIZE, openDatabase } from './db/open';
import { DEFAULT_REQUEST_WINDOW_MS } from './devices/device-auth';
import { pruneNonces } from './devices/request-nonces';
import { sweepUnfinishedUploads, uploadStoreFromEnv } from './files/store';
import { sweepUploadReservations } from './files/upload-quota';
import { connectionLimitsFromEnv, limitsFromEnv } from './http/limits';
import { serveWithLimits } from './http/limits-connections';
import { createLogger, isLogLevel, type Logger } from './http/log';
import { sweepRateLimits } from './http/rate-limit';

// Requests still in flight get this long to finish after a shutdown signal.
const SHUTDOWN_GRACE_MS = 10_000;

/** DATABASE_POOL_SIZE as a number; a typo must not silently become some other size. */
function poolSizeFrom(value: string | undefined): number {
	if (value === undefined || value === '') return DEFAULT_POOL_SIZE;
	const size = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
	if (!(size >= 1 && size <= 1000)) {
		throw new Error(`DATABASE_POOL_SIZE must be a whole number from 1 to 1000, not ${value}`);
	}
	return size;
}

/**
 * REQUEST_WINDOW_SECONDS in milliseconds. The time is checked once the body has arrived,
 * and a 1 MB push takes ~30 s on 2G: below a minute an honest phone would see its pushes
 * go stale in flight. Above an hour the nonce table grows for nothing.
 */
function requestWindowFrom(value: string | undefined): number {
	if (value === undefined || value === '') return DEFAULT_REQUEST_WINDOW_MS;
	const seconds = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
	if (!(seconds >= 60 && seconds <= 3600)) {
		throw new Error(`REQUEST_WINDOW_SECONDS must be a whole number from 60 to 3600, not ${value}`);
	}
	return seconds * 1000;
}

// Nonces are kept this long past their window, for servers whose clocks lag this one's.
const NONCE_GRACE_MS = 60_000;

async function main(log: Logger): Promise<void> {
	const port = Number(process.env.PORT ?? 3000);
	const hostname = process.env.HOST ?? '0.0.0.0';
	const dataDir = process.env.DATA_DIR ?? './data';

	const poolSize = poolSizeFrom(process.env.DATABASE_POOL_SIZE);
	const requestWindowMs = requestWindowFrom(process.env.REQUEST_WINDOW_SECONDS);

	// Before the database: a typo in a limit, or a bad catalogue file, is a configuration
	// error, found at once.
	const limits = limitsFromEnv(process.env);
	const connectionLimits = connectionLimitsFromEnv(process.env);
	const services = await catalogueFromEnv(process.env);
	const accounts = accountAdaptersFromEnv(process.env, log);
	const lifetimes = sessionLifetimesFromEnv(process.env);
	const documentSecret = await documentSecretFromEnv(process.env, dataDir);
	const database = await openDatabase({ url: process.env.DATABASE_URL, dataDir, poolSize, log });
	const uploads = await uploadStoreFromEnv(process.env, dataDir);

	// Unfinished uploads a device abandoned would fill the disk, and ended rate windows the
	// table: sweep them hourly.
	const sweep = () =>
		Promise.all([
			sweepUnfinishedUploads(uploads.store),
			sweepUploadReservations(database.db),
			sweepRateLimits(database.db)
		])
			.then(([deleted]) => deleted > 0 && log.info('swept unfinished uploads', { deleted }))
			.catch((error: unknown) => log.warn('sweeping unfinished uploads failed', { error }));
	void sweep();
	setInterval(() => void sweep(), 60 * 60 * 1000).unref();
	// Nonces of requests whose time left the window guard nothing: prune them once a window.
	setInterval(() => {
		pruneNonces(database.db, Date.now(), NONCE_GRACE_MS).catch((error: unknown) =>
			log.warn('pruning request nonces failed', { error })
		);
	}, requestWindowMs).unref();

	// The signing key is opened (made, on a new database) before the first request: a
	// secret that does not open it stops the server here, not at someone's approval.
	const documents = documentKeyStore(database.db, documentSecret);
	await documents.current();

	const staticDir = resolve(process.env.STATIC_DIR ?? 'build');
	const hasBuild = existsSync(resolve(staticDir, 'index.html'));
	if (!hasBuild) {
		log.warn(`${staticDir} has no built app: serving the API only. Run \`npm run build\`.`);
	}

	const app = createApp({
		db: database.db,
		log,
		staticDir: hasBuild ? staticDir : undefined,
		uploads: uploads.store,
		catalogue: services.catalogue,
		requestWindowMs,
		limits,
		accounts,
		lifetimes,
		documents
	});
	// Many connections dropped at once would flood the log: say so at most once a minute.
	let dropsLoggedAt = 0;
	const onDrop = () => {
		if (Date.now() - dropsLoggedAt < 60_000) return;
		dropsLoggedAt = Date.now();
		log.warn('connections refused: MAX_CONNECTIONS are open', { ...connectionLimits });
	};
	const server = serveWithLimits(
		{ fetch: app.fetch, port, hostname, limits: connectionLimits, onDrop },
		(info) => {
			const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
			log.info(`listening on http://${host}:${info.port}`, {
				database: database.kind,
				...(database.kind === 'pglite' ? { dataDir: resolve(dataDir) } : { poolSize }),
				uploads: uploads.description,
				services: `${services.catalogue.services.length} versions (${services.source})`,
				signInCodes: accounts.sender.description,
				phoneRegister: accounts.register.description,
				rateLimits: Object.keys(limits.rates).length > 0 ? 'on' : 'off'
			});
		}
	);

	let stopping = false;
	const shutdown = (signal: string) => {
		if (stopping) return;
		stopping = true;
		log.info('shutting down', { signal });
		// Stop taking requests, let those in flight finish, and only then close the database
		// they write to. A push cut short is not lost: the device retries it.
		const force = setTimeout(() => {
			log.warn('requests still open after the grace period; closing them');
			server.closeAllConnections();
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
