/**
 * How much one device, one owner or one address may ask of the server, and how long a
 * connection may stay silent: the numbers, their defaults and their environment
 * variables. Why these numbers: docs/decisions.md "Limits".
 */

/** At most `limit` requests per `windowSeconds` for one key (http/rate-limit.ts counts them). */
export interface RateRule {
	/** Stable: the counters are stored under it. */
	name: string;
	limit: number;
	windowSeconds: number;
}

/**
 * The rate rules the server applies; a rule left out (RATE_LIMITS) is not applied. A
 * feature with a limit of its own (sign-in attempts per account, codes sent per phone)
 * adds its rule here, with its default below.
 */
export interface RateRules {
	/** Registrations per client address. Loose: a whole village may share one carrier address. */
	register?: RateRule;
	/** Pushes per device. */
	push?: RateRule;
	/** Uploads started per device. */
	uploadCreate?: RateRule;
	/** Sign-in codes asked per device, sent or not. */
	codeDevice?: RateRule;
	/** Sign-in codes asked per client address, sent or not. Loose: a village shares one. */
	codeAddress?: RateRule;
	/**
	 * Codes sent to one phone for one device: a stranger asking for a person's phone
	 * spends their own allowance, not the person's.
	 */
	codePhoneDevice?: RateRule;
	/**
	 * Codes sent to one phone from any device (SMS pumping): looser, and a short window,
	 * so strangers can keep a person from signing in for minutes at most.
	 */
	codePhone?: RateRule;
	/** Codes typed per device and per address: guessing needs tries. */
	confirmDevice?: RateRule;
	confirmAddress?: RateRule;
	/**
	 * Staff sign-ins per login and address: a guesser is slowed where they are, and the
	 * real person signing in from elsewhere is not locked out by them.
	 */
	signInPair?: RateRule;
	/** Staff sign-ins per address, whatever the login. */
	signInAddress?: RateRule;
	/** Set-password links opened or used, per device and per address (each use runs Argon2). */
	staffLinkDevice?: RateRule;
	staffLinkAddress?: RateRule;
	/**
	 * Documents checked by number and IIN, per address: a bank clerk checks a few a day; a
	 * script trying IINs against numbers is slowed to a crawl.
	 */
	documentCheck?: RateRule;
}

export interface Limits {
	rates: RateRules;
	/** Uploads a device has started and not finished: how many, and their declared bytes. */
	unfinishedUploads: { count: number; bytes: number };
	/**
	 * Reverse proxies in front of the server whose `X-Forwarded-For` entry is believed;
	 * 0 (direct) takes the socket's peer address.
	 */
	trustedProxies: number;
}

const minute = 60;

/** The rules by name, with their defaults. */
export const DEFAULT_RATE_RULES = {
	register: { name: 'register', limit: 100, windowSeconds: 10 * minute },
	push: { name: 'push', limit: 60, windowSeconds: minute },
	uploadCreate: { name: 'upload_create', limit: 120, windowSeconds: 10 * minute },
	codeDevice: { name: 'code_device', limit: 10, windowSeconds: 60 * minute },
	codeAddress: { name: 'code_address', limit: 300, windowSeconds: 60 * minute },
	codePhoneDevice: { name: 'code_phone_device', limit: 5, windowSeconds: 60 * minute },
	codePhone: { name: 'code_phone', limit: 10, windowSeconds: 15 * minute },
	confirmDevice: { name: 'confirm_device', limit: 30, windowSeconds: 10 * minute },
	confirmAddress: { name: 'confirm_address', limit: 300, windowSeconds: 10 * minute },
	signInPair: { name: 'sign_in_pair', limit: 5, windowSeconds: 15 * minute },
	signInAddress: { name: 'sign_in_address', limit: 100, windowSeconds: 60 * minute },
	staffLinkDevice: { name: 'staff_link_device', limit: 10, windowSeconds: 10 * minute },
	staffLinkAddress: { name: 'staff_link_address', limit: 30, windowSeconds: 10 * minute },
	documentCheck: { name: 'document_check', limit: 60, windowSeconds: 10 * minute }
} as const satisfies Required<RateRules>;

export const DEFAULT_LIMITS: Limits = {
	rates: DEFAULT_RATE_RULES,
	unfinishedUploads: { count: 20, bytes: 20 * 1024 * 1024 },
	trustedProxies: 0
};

/** Limits on the socket itself, applied by `limitConnections` (limits-connections.ts). */
export interface ConnectionLimits {
	/** Open connections at once; the next is closed at once until one ends. */
	maxConnections: number;
	/** A request's headers must all arrive within this. */
	headersTimeoutMs: number;
	/**
	 * A connection with nothing received or sent for this long is closed: a stalled
	 * client. Never a total: a 1 MB push on 2G (≈ 29 s at 280 kbps) takes as long as it
	 * takes while bytes keep coming.
	 */
	idleTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
	maxConnections: 2000,
	headersTimeoutMs: 20_000,
	idleTimeoutMs: 30_000
};

type Env = Record<string, string | undefined>;

/** A whole number from the environment within [min, max]; a typo stops start-up. */
export function wholeNumber(
	env: Env,
	name: string,
	fallback: number,
	min: number,
	max: number
): number {
	const value = env[name];
	if (value === undefined || value === '') return fallback;
	const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
	if (!(n >= min && n <= max)) {
		throw new Error(`${name} must be a whole number from ${min} to ${max}, not ${value}`);
	}
	return n;
}

const RULE_ENTRY = /^([a-z_]+)=(\d{1,7})\/(\d{1,7})$/;

/**
 * `RATE_LIMITS`: `off`, or changes to the defaults as `rule=limit/seconds` separated by
 * commas (`push=120/60,register=off`). Rule names are those of DEFAULT_RATE_RULES' `name`.
 */
function rateRulesFrom(value: string | undefined): RateRules {
	if (value === undefined || value.trim() === '') return DEFAULT_RATE_RULES;
	if (value.trim() === 'off') return {};
	const rules: RateRules = { ...DEFAULT_RATE_RULES };
	const keyOf = new Map<string, keyof RateRules>(
		Object.entries(DEFAULT_RATE_RULES).map(([key, rule]) => [rule.name, key as keyof RateRules])
	);
	for (const entry of value.split(',').map((part) => part.trim())) {
		const off = /^([a-z_]+)=off$/.exec(entry);
		const on = RULE_ENTRY.exec(entry);
		const key = keyOf.get((off ?? on)?.[1] ?? '');
		if (!key) {
			throw new Error(
				`RATE_LIMITS: ${JSON.stringify(entry)} is not rule=limit/seconds or rule=off ` +
					`(rules: ${[...keyOf.keys()].join(', ')})`
			);
		}
		if (off) delete rules[key];
		else if (on && Number(on[2]) >= 1 && Number(on[3]) >= 1) {
			rules[key] = { name: on[1]!, limit: Number(on[2]), windowSeconds: Number(on[3]) };
		} else throw new Error(`RATE_LIMITS: ${entry} needs a limit and a window of at least 1`);
	}
	return rules;
}

/** The limits the environment asks for (README "Configuration"). */
export function limitsFromEnv(env: Env): Limits {
	return {
		rates: rateRulesFrom(env.RATE_LIMITS),
		unfinishedUploads: {
			count: wholeNumber(
				env,
				'MAX_UNFINISHED_UPLOADS',
				DEFAULT_LIMITS.unfinishedUploads.count,
				1,
				100_000
			),
			bytes: wholeNumber(
				env,
				'MAX_UNFINISHED_UPLOAD_BYTES',
				DEFAULT_LIMITS.unfinishedUploads.bytes,
				1,
				2 ** 40
			)
		},
		trustedProxies: wholeNumber(env, 'TRUST_PROXY', 0, 0, 10)
	};
}

/** The connection limits the environment asks for. */
export function connectionLimitsFromEnv(env: Env): ConnectionLimits {
	const d = DEFAULT_CONNECTION_LIMITS;
	return {
		maxConnections: wholeNumber(env, 'MAX_CONNECTIONS', d.maxConnections, 1, 1_000_000),
		headersTimeoutMs:
			1000 * wholeNumber(env, 'HEADERS_TIMEOUT_S', d.headersTimeoutMs / 1000, 1, 3600),
		idleTimeoutMs: 1000 * wholeNumber(env, 'IDLE_TIMEOUT_S', d.idleTimeoutMs / 1000, 1, 3600)
	};
}
