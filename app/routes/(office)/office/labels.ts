import type { HistoryEntry } from '../../../../shared/office';
import { REGIONS } from '../../../../shared/services/address';
import type { AccountView } from '../../../../shared/session';
import { findService } from '../../../../shared/services/catalog';
import { localized } from '$lib/i18n/locale.svelte';
import { m } from '$lib/paraglide/messages';

const STATUS_LABELS: Record<string, () => string> = {
	received: m.state_received,
	in_review: m.state_in_review,
	more_information: m.state_more_information,
	approved: m.state_approved,
	rejected: m.state_rejected
};

/** A status in the reviewer's language; a status this build does not know, as it is. */
export const statusLabel = (status: string) => STATUS_LABELS[status]?.() ?? status;

/** The service's title in the reviewer's language, by the version the application used. */
export function serviceTitle(serviceId: string, version?: number): string {
	const service = findService(serviceId, version);
	return service ? localized(service.title) : serviceId;
}

/** One history entry as a line: what happened, and who did it. */
export function historyText(entry: HistoryEntry): string {
	const what = {
		received: m.office_history_received,
		amended: m.office_history_amended,
		answered: m.office_history_answered,
		claimed: m.office_history_claimed,
		decided: () => m.office_history_decided({ status: statusLabel(entry.toStatus) }),
		revoked: m.office_history_revoked
	}[entry.kind];
	const text = what ? what() : entry.kind;
	const who =
		entry.actor === null
			? // A decision no one made is a rule's, in the push that received it.
				entry.kind === 'decided'
				? m.office_actor_rule()
				: ''
			: entry.actor.role === 'citizen'
				? m.office_actor_applicant()
				: (entry.actor.name ?? '');
	return who ? `${text} — ${who}` : text;
}

const ROLE_NAMES: Record<string, () => string> = {
	officer: m.office_role_officer,
	reviewer: m.office_role_reviewer,
	administrator: m.office_role_administrator
};

export const roleName = (role: string) => ROLE_NAMES[role]?.() ?? role;

/** A region by its name; the national queue (staff region `national`) as such. */
export function regionName(code: string | null): string {
	const region = REGIONS.find((r) => r.value === code);
	return region ? localized(region.label) : m.office_region_national();
}

/** Who is signed in, their role and the region whose queue they work. */
export function signedInAs(account: AccountView): string {
	return m.office_signed_in_as({
		name: account.name ?? '',
		role: roleName(account.role),
		region: regionName(account.region)
	});
}

const REVIEW_REASONS: Record<string, () => string> = {
	not_low_risk: m.office_review_not_low_risk,
	open_registration: m.office_review_open_registration,
	tax_mismatch: m.office_review_tax_mismatch
};

/** Why the rule left an application to a person; a reason this build does not know, as sent. */
export const reviewReasonText = (reason: string) => REVIEW_REASONS[reason]?.() ?? reason;
