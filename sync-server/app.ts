import { Hono } from 'hono';
import { documentRoutes } from './documents/routes';
import { DEVELOPMENT_DOCUMENT_SECRET } from './documents/key-secret';
import { documentKeyStore, type DocumentKeys } from './documents/signing-keys';
import { revocationListStore } from './documents/revocation-list';
import { compress } from 'hono/compress';
import { HTTPException } from 'hono/http-exception';
import { ErrorCode } from '../shared/errors';
import type { AccountsOptions } from './accounts/adapters';
import { accountRoutes } from './accounts/routes';
import { developmentSender } from './accounts/sms-sender';
import { passwordPool, type Passwords } from './accounts/passwords';
import { DEFAULT_SESSION_LIFETIMES, type SessionLifetimes } from './accounts/sessions';
import { developmentRegister } from './accounts/phone-register';
import { bundledCatalogue, type Catalogue } from './catalogue/catalogue';
import type { Database } from './db/open';
import { deviceAuth, serverTimeHeader } from './devices/device-auth';
import { fileRoutes } from './files/routes';
import type { UploadStore } from './files/store';
import { connectionFailureOf, isContention } from './db/connection-failure';
import { sightings } from './devices/sightings';
import { databaseUnavailable, errorResponse, ServerBusy, serverBusy } from './http/errors';
import { requestLogger, type Logger } from './http/log';
import { healthRoutes } from './http/health';
import { DEFAULT_LIMITS, type Limits } from './http/limits';
import { rateLimiter } from './http/rate-limit';
import { securityHeaders } from './http/security-headers';
import { deviceRoutes } from './devices/routes';
import { officeRoutes } from './office/routes';
import { serviceRoutes } from './catalogue/routes';
import { staticFiles } from './http/static-files';
import { syncRoutes } from './sync/routes';

export interface AppOptions {
	db: Database;
	log: Logger;
	/** The built PWA to serve beside the API; without it the server is API-only. */
	staticDir?: string;
	/** Where uploaded photos and documents are kept; without one /api/files does not exist. */
	uploads?: UploadStore;
	/** The services accepted and published (catalogue/catalogue.ts); the bundled ones by default. */
	catalogue?: Catalogue;
	/**
	 * How far a signed request's time may be from the server's clock, either way
	 * (`REQUEST_WINDOW_SECONDS`); 5 minutes by default.
	 */
	requestWindowMs?: number;
	/** The server's clock; the tests move it. */
	now?: () => number;
	/** Rate limits and quotas (http/limits.ts); the defaults when not given. */
	limits?: Limits;
	/**
	 * How sign-in codes are sent and phones checked against IINs (accounts/); the
	 * development sender and register (which say so in the log) by default.
	 */
	accounts?: AccountsOptions;
	/** Staff password hashing; Argon2 on a worker thread by default (accounts/passwords.ts). */
	passwords?: Passwords;
	/** How long sessions last (accounts/sessions.ts); 15 minutes and 30 days by default. */
	lifetimes?: SessionLifetimes;
	/**
	 * The keys documents are signed with (documents/signing-keys.ts); by default sealed under
	 * the development secret, which main.ts never uses.
	 */
	documents?: DocumentKeys;
}

/** The whole HTTP surface of the sync server, with no socket: `main.ts` serves it. */
export function createApp({
	db,
	log,
	staticDir,
	uploads,
	catalogue = bundledCatalogue,
	requestWindowMs,
	now = Date.now,
	limits = DEFAULT_LIMITS,
	accounts = { sender: developmentSender(log), register: developmentRegister(log) },
	passwords = passwordPool(),
	lifetimes = DEFAULT_SESSION_LIFETIMES,
	documents = documentKeyStore(db, DEVELOPMENT_DOCUMENT_SECRET, now)
}: AppOptions) {
	const notFound = () =>
		errorResponse(404, { code: ErrorCode.notFound, message: 'No such endpoint.' });

	// Public keys are cached per app, never per module: two apps in one process (tests)
	// or two processes share nothing but the database (where the nonces are).
	const auth = deviceAuth(db, { windowMs: requestWindowMs, now });
	// Counters live in the database, so every server process shares them.
	const guard = { limits, limiter: rateLimiter(db, limits.rates) };
	const seen = sightings(db, now);
	const app = new Hono()
		.use('*', requestLogger(log))
		.use('/api/*', serverTimeHeader(now))
		// Every answer, API or file, error or not: CSP, frame-ancestors, nosniff and the rest.
		.use('*', securityHeaders(staticDir))
		// Pull pages and push results are JSON that shrinks several-fold; data costs money.
		// Static files are not compressed here: the build ships .br/.gz beside each file.
		.use('/api/*', compress())
		.route('/api/health', healthRoutes(db, log, accounts))
		.route('/api/sync', deviceRoutes(db, guard))
		.route('/api/services', serviceRoutes(catalogue))
		.route('/api/sync', syncRoutes(db, auth, catalogue, guard, seen, documents))
		.route(
			'/api/documents',
			documentRoutes(db, documents, revocationListStore(db, documents, now), guard)
		)
		.route('/api/accounts', accountRoutes(db, auth, { accounts, guard, passwords, lifetimes }))
		.route(
			'/api/office',
			officeRoutes(db, auth, catalogue, { uploads, sender: accounts.sender, log, documents })
		);
	// Mounted before the catch-all below, which would otherwise answer its paths first.
	if (uploads) app.route('/api/files', fileRoutes(db, auth, uploads, log, guard, seen));
	// Any other /api path is a JSON 404, never the SPA's index.html.
	app.all('/api', notFound).all('/api/*', notFound);

	if (staticDir) app.route('/', staticFiles(staticDir));

	app.notFound(notFound);
	app.onError((error, c) => {
		// Our HTTPExceptions carry an ErrorBody response (http/errors.ts); one without is a bug.
		if (error instanceof HTTPException && error.res) return error.getResponse();
		// A lost database connection is the network's fault, not the request's: 503, retry.
		const lost = connectionFailureOf(error);
		if (lost) {
			log.warn('database unavailable', { error: lost, method: c.req.method, path: c.req.path });
			return databaseUnavailable();
		}
		if (error instanceof ServerBusy) return serverBusy();
		// A transaction that lost to a concurrent one committed nothing: retry, not a bug.
		if (isContention(error)) {
			log.warn('database contention', { error, method: c.req.method, path: c.req.path });
			return databaseUnavailable();
		}
		// Whatever went wrong stays in the log; the client learns only that it was us.
		log.error('unhandled error', { error, method: c.req.method, path: c.req.path });
		return errorResponse(500, { code: ErrorCode.internal, message: 'Internal error' });
	});
	return app;
}
