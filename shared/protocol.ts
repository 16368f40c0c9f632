/**
 * The sync protocol between a device and the sync server. Each message has one valibot
 * schema here; its TypeScript type is inferred from it, and both sides parse with it.
 */
import * as v from 'valibot';
import { MAX_CODE_CHARS } from './documents/limits';
import { ErrorCode, FieldErrorCode, RejectCode } from './errors';
import { ServiceCatalogueSchema } from './services/definition-schema';

/**
 * Bumped on any change a deployed client could not understand. Protocol 3: sync calls
 * carry the person's session (`Authorization: Bearer`, issued to the signing device).
 */
export const PROTOCOL_VERSION = 3;
/**
 * The oldest client the server still serves; older ones are told to update. Protocol 2
 * synced by the device key alone, so whoever held the phone read everything its owner
 * had, after sign-out too: refused, like protocol 1 before it.
 */
export const MIN_PROTOCOL_VERSION = 3;

/**
 * Request headers. Every sync call carries the protocol and the device; every call but
 * register carries the device's signature with the time and nonce it signs
 * (shared/device-signature.ts). From protocol 3, `Authorization: Bearer` carries the
 * person's session (accounts), which the server checks is this device's. Every answer of the API carries the server's
 * clock, which devices sign by.
 */
export const Header = {
	protocol: 'Dala-Protocol',
	device: 'Dala-Device',
	signature: 'Dala-Signature',
	/** When the request was signed: milliseconds since the epoch, by the server's clock. */
	time: 'Dala-Time',
	/** At least 128 random bits, new for every request: the server accepts each once. */
	nonce: 'Dala-Nonce',
	/** On every answer: the server's clock (milliseconds), for the device's offset. */
	serverTime: 'Dala-Server-Time'
} as const;

/** The most mutations one push may carry, and the largest body the server reads. */
export const MAX_PUSH_BATCH = 100;
export const MAX_BODY_BYTES = 1_000_000;
/** The most changes one pull page returns. */
export const MAX_PULL_LIMIT = 500;

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Ids are UUIDv7 made on the device: unique without a server, and ordered by time. */
export const Uuid7 = v.pipe(v.string(), v.regex(UUID_V7, 'expected a lowercase UUIDv7'));
const BASE64URL_256 = /^[A-Za-z0-9_-]{43}$/;
/**
 * A device id: the RFC 7638 thumbprint of the device's P-256 public key. Only the holder
 * of the private key can sign for it, so an id cannot be borrowed or forged.
 */
export const DeviceId = v.pipe(v.string(), v.regex(BASE64URL_256, 'expected a key thumbprint'));

/** The device's public key, as a JSON Web Key (ECDSA P-256). */
export const DevicePublicKey = v.object({
	kty: v.literal('EC'),
	crv: v.literal('P-256'),
	x: v.pipe(v.string(), v.regex(BASE64URL_256)),
	y: v.pipe(v.string(), v.regex(BASE64URL_256))
});
export type DevicePublicKey = v.InferOutput<typeof DevicePublicKey>;

/** `POST /api/sync/register`: makes the device known. Idempotent for the same key. */
export const RegisterRequest = v.object({ publicKey: DevicePublicKey });
export type RegisterRequest = v.InferOutput<typeof RegisterRequest>;
export const RegisterResponse = v.object({ deviceId: DeviceId });
export type RegisterResponse = v.InferOutput<typeof RegisterResponse>;

const PositiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
/** The largest device sequence number: the server stores it as a 32-bit integer. */
export const MAX_MUTATION_SEQ = 2_147_483_647;
const Seq = v.pipe(PositiveInt, v.maxValue(MAX_MUTATION_SEQ));

/** A citizen submits an application: the first mutation of its life. */
export const SubmitApplication = v.object({
	/** The mutation id: the idempotency key. */
	id: Uuid7,
	/** This device's counter; mutations take effect in this order. */
	seq: Seq,
	type: v.literal('application.submit'),
	applicationId: Uuid7,
	serviceId: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
	serviceVersion: PositiveInt,
	/** Checked against the service definition on the server, field by field. */
	answers: v.record(v.string(), v.unknown())
});

/**
 * The citizen corrects the answers of an application the server holds. `baseVersion` is
 * the server version the change was made on: if the server moved on meanwhile (a reviewer
 * acted), the answer is `conflict`, never last-writer-wins on a legal record.
 */
export const AmendApplication = v.object({
	id: Uuid7,
	seq: Seq,
	type: v.literal('application.amend'),
	applicationId: Uuid7,
	baseVersion: PositiveInt,
	answers: v.record(v.string(), v.unknown())
});

export const Mutation = v.variant('type', [SubmitApplication, AmendApplication]);
export type Mutation = v.InferOutput<typeof Mutation>;

export const PushRequest = v.object({
	mutations: v.pipe(v.array(Mutation), v.minLength(1), v.maxLength(MAX_PUSH_BATCH))
});
export type PushRequest = v.InferOutput<typeof PushRequest>;

/**
 * A status as it travels: any short text, not only the statuses this build knows. A
 * server that adds a status must not make the pulls of every older app fail; the app
 * shows one it does not know as such (shared/status.ts `isKnownStatus`). Unknown members
 * of an object are dropped, never an error, for the same reason.
 */
const WireStatus = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

/** What the server holds about an application, as far as its owner may see it. */
export const ApplicationState = v.object({
	id: Uuid7,
	serviceId: v.string(),
	serviceVersion: PositiveInt,
	status: WireStatus,
	reference: v.string(),
	/** The server's version of the record; increases with every change. */
	version: PositiveInt,
	/** The answers as the server holds them (normalized). */
	answers: v.record(v.string(), v.string()),
	/** Why it was rejected, in the reviewer's words. */
	reason: v.optional(v.string()),
	/**
	 * Why it was rejected, as a code of its service's list (shared/services/reject-reasons.ts),
	 * shown in the person's language. Optional: an older server sends none, and a rejection
	 * may carry only the reviewer's words.
	 */
	reasonCode: v.optional(v.string()),
	/**
	 * While the status is `more_information`: which answers the reviewer asks for again (input
	 * names of the application's service version) and what they say. Absent otherwise; an
	 * older app drops it, as it drops every member it does not know.
	 */
	request: v.optional(v.object({ fields: v.array(v.string()), message: v.string() })),
	/**
	 * Once approved, the issued document as its signed code (`DL1:…`, shared/documents/code.ts):
	 * the device renders, prints and verifies it from this alone. An older app drops it.
	 */
	document: v.optional(v.pipe(v.string(), v.maxLength(MAX_CODE_CHARS))),
	/**
	 * Set once an office revoked the document: when (ISO 8601) and why, in the reviewer's
	 * words. The status stays approved; the document no longer stands.
	 */
	documentRevoked: v.optional(v.object({ at: v.string(), reason: v.string() })),
	/** ISO 8601, set by the server. */
	updatedAt: v.string()
});
export type ApplicationState = v.InferOutput<typeof ApplicationState>;

const FieldErrorsSchema = v.record(v.string(), v.picklist(Object.values(FieldErrorCode)));

/**
 * The state in a push result. `answers` is left out when it is exactly the answers the
 * mutation itself sent (the usual case: the device normalized them with the same rules),
 * which halves what a push costs on the wire; the device fills them in from its entry.
 */
export const ResultState = v.object({
	...ApplicationState.entries,
	answers: v.optional(ApplicationState.entries.answers)
});
export type ResultState = v.InferOutput<typeof ResultState>;

export const MutationResult = v.variant('status', [
	/** Applied now. */
	v.object({ mutationId: v.string(), status: v.literal('applied'), application: ResultState }),
	/** The application already existed from an earlier mutation; nothing was written. */
	v.object({
		mutationId: v.string(),
		status: v.literal('duplicate'),
		application: ResultState
	}),
	/**
	 * The server moved on since `baseVersion`: nothing was written. `application` is the
	 * current state; the device shows it beside the person's change and lets them choose.
	 */
	v.object({
		mutationId: v.string(),
		status: v.literal('conflict'),
		application: ResultState
	}),
	/** Refused for good: show the person why; never send it again. */
	v.object({
		mutationId: v.string(),
		status: v.literal('rejected'),
		code: v.picklist(Object.values(RejectCode)),
		fieldErrors: v.optional(FieldErrorsSchema)
	})
]);
export type MutationResult = v.InferOutput<typeof MutationResult>;

/** One result per mutation, in the order they were sent. */
export const PushResponse = v.object({ results: v.array(MutationResult) });
export type PushResponse = v.InferOutput<typeof PushResponse>;

export const PullResponse = v.object({
	changes: v.array(ApplicationState),
	/** Opaque; send it back as `?cursor=` to get what changed after these. */
	cursor: v.string(),
	/** True when more changes wait: pull again at once. */
	hasMore: v.boolean()
});
export type PullResponse = v.InferOutput<typeof PullResponse>;

/**
 * `GET /api/services`: the catalogue the server accepts and publishes, every version of
 * every service (retired ones too, so old applications can still be shown and drafts
 * moved on). Public, not signed; revalidated by ETag.
 */
export const ServicesResponse = v.object({ services: ServiceCatalogueSchema });
export type ServicesResponse = v.InferOutput<typeof ServicesResponse>;

export const ErrorBody = v.object({
	error: v.object({
		code: v.picklist(Object.values(ErrorCode)),
		message: v.string(),
		/** For invalid_body: which parts of the request were wrong (path → message). */
		issues: v.optional(v.record(v.string(), v.string()))
	})
});
export type ErrorBody = v.InferOutput<typeof ErrorBody>;
