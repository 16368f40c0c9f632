import { createMiddleware } from 'hono/factory';
import * as v from 'valibot';
import { DeviceId, Header } from '../../shared/protocol';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

type Fields = Record<string, unknown>;

/** A structured logger: one JSON object per line, so any log collector can read it. */
export interface Logger {
	debug(msg: string, fields?: Fields): void;
	info(msg: string, fields?: Fields): void;
	warn(msg: string, fields?: Fields): void;
	error(msg: string, fields?: Fields): void;
}

export interface LoggerOptions {
	/** Lines below this level are dropped; `silent` drops everything (tests). */
	level?: LogLevel;
	/** Where lines go; stdout by default. */
	write?: (line: string) => void;
}

/** True when `value` names a level, so `LOG_LEVEL` can be checked before use. */
export function isLogLevel(value: string): value is LogLevel {
	return Object.hasOwn(LEVELS, value);
}

/** Makes a logger; it holds no state beyond its options. */
export function createLogger(options: LoggerOptions = {}): Logger {
	const threshold = LEVELS[options.level ?? 'info'];
	const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
	const emit = (level: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Fields) => {
		if (LEVELS[level] < threshold) return;
		const entry = { time: new Date().toISOString(), level, msg, ...fields };
		write(JSON.stringify(entry, replaceErrors));
	};
	return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

// JSON.stringify turns an Error into `{}`; a log line must keep what went wrong and where.
function replaceErrors(_key: string, value: unknown): unknown {
	if (value instanceof Error) return loggable(value);
	if (typeof value === 'bigint') return value.toString();
	return value;
}

// SQLSTATE classes whose messages name no value: a lost connection, a server going down,
// a server out of resources. Their words help whoever reads the log at 3 a.m.
const WORDY_SQL_CLASSES = new Set(['08', '53', '57']);

/**
 * What of an error may go to the log: never a person's data. Drizzle wraps a failed
 * statement in an error whose message (and so its stack) lists the statement's parameters
 * — IINs, phones, whole answers — so only the statement is kept, with its cause. A
 * database error's message and detail may quote a value too (`Key (iin)=(…) already
 * exists`, `invalid input syntax for type uuid: "…"`), so it is logged by its SQLSTATE
 * and the constraint, table and column it names. Causes are passed through this again.
 */
function loggable(error: Error): Record<string, unknown> {
	const fields = error as Error &
		Partial<Record<'code' | 'constraint' | 'table' | 'column' | 'query', unknown>>;
	const statement = typeof fields.query === 'string' ? { statement: fields.query } : {};
	// The server's own errors carry a severity; a socket's (`EPIPE`) does not. PGlite's also
	// carry the statement and its parameters, as Drizzle's wrapper does.
	if ('severity' in error && typeof fields.code === 'string') {
		return {
			name: error.name,
			code: fields.code,
			constraint: fields.constraint,
			table: fields.table,
			column: fields.column,
			...statement,
			...(WORDY_SQL_CLASSES.has(fields.code.slice(0, 2)) ? { message: error.message } : {})
		};
	}
	if ('params' in error) return { name: error.name, ...statement, cause: error.cause };
	return { name: error.name, message: error.message, stack: error.stack, cause: error.cause };
}

/** Logs one line per request once it is answered: method, path, status, time, device. */
export function requestLogger(log: Logger) {
	return createMiddleware(async (c, next) => {
		const start = performance.now();
		await next();
		const device = c.req.header(Header.device);
		log.info('request', {
			method: c.req.method,
			path: c.req.path,
			status: c.res.status,
			ms: Math.round((performance.now() - start) * 10) / 10,
			// Only a well-formed id is logged: the header is whatever the client sent.
			...(device && v.is(DeviceId, device) ? { device } : {})
		});
	});
}
