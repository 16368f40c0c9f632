/**
 * Least privilege (issue 9 §4), in one place: `can(actor, action, record)` is the only
 * answer to "may this person do this to that", and every route asks it. Rules are
 * written per role, each naming what it may do; anything not named is refused.
 */
import { NATIONAL_REGION, type Role } from '../../shared/accounts';

/** Who is asking: a signed-in account, on the device that signed the request. */
export interface Actor {
	accountId: string;
	role: Role;
	/** The owner this account's devices share (devices.owner_id). */
	ownerId: string;
	/** A citizen's verified IIN; null for staff. */
	iin: string | null;
	/** A staff member's region; null for citizens. */
	region: string | null;
	deviceId: string;
}

/** What a rule needs to know about the thing acted on. */
export type PolicyRecord =
	| {
			kind: 'application';
			ownerId: string;
			/** The IIN of the person it is for, when a kiosk filed it for them. */
			subjectIin: string | null;
			/** The officer whose kiosk filed it. */
			filedBy: string | null;
			/** A REGIONS code, or null: the national queue. */
			region: string | null;
	  }
	| { kind: 'region'; region: string }
	| { kind: 'account'; id: string }
	| { kind: 'device'; ownerId: string };

export type Action =
	/** See an application, answers included. */
	| 'application.read'
	/** Approve, reject or take into review. */
	| 'application.decide'
	/** Revoke the document an approval issued. */
	| 'document.revoke'
	/** Counts of a region's applications by status, no answers. */
	| 'region.summary'
	/** Create staff, list accounts, revoke their devices. */
	| 'account.manage'
	| 'device.list'
	| 'device.revoke';

type Rule = (actor: Actor, action: Action, record: PolicyRecord) => boolean;

const ownDevice: Rule = (actor, action, record) =>
	(action === 'device.list' || action === 'device.revoke') &&
	record.kind === 'device' &&
	record.ownerId === actor.ownerId;

/**
 * Whether `region` (an application's, or a summary's) is the actor's to work. An
 * application with no region (shared/services/region.ts) is in the national queue, which
 * staff of region `national` work; a regional one is its region's alone. National staff do
 * not see regional applications too: the national queue is one more queue, not a view over
 * every region, so least privilege holds for it as for any other (docs/accounts.md).
 */
const inRegion = (actor: Actor, region: string | null) =>
	actor.region !== null &&
	(region === null ? actor.region === NATIONAL_REGION : region === actor.region);

const rules: Record<Role, Rule> = {
	/** Their own applications, and those a kiosk filed for their verified IIN. */
	citizen: (actor, action, record) =>
		ownDevice(actor, action, record) ||
		(action === 'application.read' &&
			record.kind === 'application' &&
			(record.ownerId === actor.ownerId ||
				(actor.iin !== null && record.subjectIin === actor.iin))),
	/** What they filed, and their region's summary. */
	officer: (actor, action, record) =>
		ownDevice(actor, action, record) ||
		(action === 'application.read' &&
			record.kind === 'application' &&
			record.filedBy === actor.accountId) ||
		(action === 'region.summary' && record.kind === 'region' && inRegion(actor, record.region)),
	/** Applications of their region: to read them is to decide them, and their documents. */
	reviewer: (actor, action, record) =>
		ownDevice(actor, action, record) ||
		((action === 'application.read' ||
			action === 'application.decide' ||
			action === 'document.revoke') &&
			record.kind === 'application' &&
			inRegion(actor, record.region)) ||
		(action === 'region.summary' && record.kind === 'region' && inRegion(actor, record.region)),
	/** Accounts and devices, anyone's; never an application's answers. */
	administrator: (_actor, action, record) =>
		(action === 'account.manage' && record.kind === 'account') ||
		((action === 'device.list' || action === 'device.revoke') && record.kind === 'device')
};

export function can(actor: Actor, action: Action, record: PolicyRecord): boolean {
	return rules[actor.role](actor, action, record);
}
