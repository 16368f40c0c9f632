/**
 * What an application's page leads with once the server holds it: the office's decision,
 * its request for more information, or that it was received. Pure, so the rules are
 * tested without a page: which headline, which asked fields the form knows, which
 * moments the timeline shows.
 */
import type { ApplicationState } from '../../shared/protocol';
import { inputFields } from '../../shared/services/address';
import type { FieldDefinition, ServiceDefinition } from '../../shared/services/definition';
import { rejectReason, type RejectReason } from '../../shared/services/reject-reasons';
import type { ApplicationView } from './applications';

export type Headline =
	/**
	 * No `decidedAt` once its document was revoked: the state's time is the revocation's
	 * then, and the state carries no other.
	 */
	| { kind: 'approved'; decidedAt?: number }
	| {
			kind: 'rejected';
			decidedAt: number;
			/** The text of the reason code in every language; none for an unknown code. */
			reasonText?: RejectReason['text'];
			/** The reviewer's own words, if they wrote any. */
			reason?: string;
	  }
	| {
			kind: 'more_information';
			message: string;
			/** The asked input names, as the reviewer sent them. */
			fields: readonly string[];
	  }
	/** Received or in review: nothing for the person to do. */
	| { kind: 'received' }
	/** A status this build cannot name (a newer server). */
	| { kind: 'unknown' };

const time = (iso: string) => Date.parse(iso) || 0;

/** The headline of an application the server holds, as the device knows it now. */
export function headline(server: ApplicationState): Headline {
	switch (server.status) {
		case 'approved':
			return server.documentRevoked
				? { kind: 'approved' }
				: { kind: 'approved', decidedAt: time(server.updatedAt) };
		case 'rejected':
			return {
				kind: 'rejected',
				decidedAt: time(server.updatedAt),
				...(server.reasonCode
					? { reasonText: rejectReason(server.serviceId, server.reasonCode)?.text }
					: {}),
				...(server.reason ? { reason: server.reason } : {})
			};
		case 'more_information':
			return {
				kind: 'more_information',
				message: server.request?.message ?? '',
				fields: server.request?.fields ?? []
			};
		case 'received':
		case 'in_review':
			return { kind: 'received' };
		default:
			return { kind: 'unknown' };
	}
}

/**
 * The inputs of `service` among `names`, in the form's order, each with the label the form
 * shows: an address part by its own label. Names the version does not have are left out
 * (the server checks them against the application's version, so none should be).
 */
export function askedInputs(
	service: ServiceDefinition,
	names: readonly string[]
): FieldDefinition[] {
	return service.fields.flatMap(inputFields).filter((input) => names.includes(input.name));
}

export interface TimelineEntry {
	/**
	 * Made on this phone, received by the office, then asked for more or decided, and
	 * perhaps the document revoked since.
	 */
	kind: 'made' | 'received' | 'more_information' | 'approved' | 'rejected' | 'revoked';
	/** Epoch ms; absent when the device cannot know it (see `timeline`). */
	at?: number;
}

/**
 * The moments of an application, oldest first: made on this phone (not for one made on
 * another device), received by the office, and asked for more information or decided.
 * The server's state carries only its last change: the receipt time is what this device
 * recorded when the server acknowledged the submission, or the state's own time while it
 * is still received; otherwise it is shown without a time.
 */
export function timeline(view: ApplicationView): TimelineEntry[] {
	const entries: TimelineEntry[] = [];
	if (!view.fromOtherDevice) entries.push({ kind: 'made', at: view.application.submittedAt });
	if (!('server' in view.state)) return entries;
	const { status, updatedAt, documentRevoked } = view.state.server;
	const receivedAt =
		view.application.receivedAt ?? (status === 'received' ? time(updatedAt) : undefined);
	entries.push(
		receivedAt === undefined ? { kind: 'received' } : { kind: 'received', at: receivedAt }
	);
	if (documentRevoked) {
		// The state's time is the revocation's: the approval's own is not known here.
		entries.push({ kind: 'approved' }, { kind: 'revoked', at: time(documentRevoked.at) });
	} else if (status === 'more_information' || status === 'approved' || status === 'rejected') {
		entries.push({ kind: status, at: time(updatedAt) });
	}
	return entries;
}
