import { describe, expect, it } from 'vitest';
import type { ApplicationView } from '../../app/lib/applications';
import { askedInputs, headline, timeline } from '../../app/lib/decision';
import type { ApplicationState } from '../../shared/protocol';
import { findService } from '../../shared/services/catalog';

const permit = findService('trade-outlet-permit', 1)!;

function state(patch: Partial<ApplicationState> = {}): ApplicationState {
	return {
		id: '0190a000-0000-7000-8000-000000000001',
		serviceId: 'trade-outlet-permit',
		serviceVersion: 1,
		status: 'received',
		reference: 'DL-2026-000001',
		version: 1,
		answers: {},
		updatedAt: '2026-12-07T10:00:00.000Z',
		...patch
	};
}

const at = (iso: string) => Date.parse(iso);

function view(server: ApplicationState | undefined, patch: Partial<ApplicationView> = {}) {
	return {
		application: {
			id: server?.id ?? 'x',
			serviceId: 'trade-outlet-permit',
			serviceVersion: 1,
			answers: {},
			submittedAt: at('2026-12-07T09:00:00.000Z')
		},
		fromOtherDevice: false,
		state: server ? { kind: server.status as 'received', server } : { kind: 'waiting' },
		...patch
	} as ApplicationView;
}

describe('headline', () => {
	it('leads with an approval and when it was decided', () => {
		const server = state({ status: 'approved', updatedAt: '2026-12-07T11:00:00.000Z' });
		expect(headline(server)).toEqual({
			kind: 'approved',
			decidedAt: at('2026-12-07T11:00:00.000Z')
		});
	});

	it('leaves the time out of an approval whose document was revoked: the state’s time is the revocation’s', () => {
		const server = state({
			status: 'approved',
			updatedAt: '2026-12-09T08:00:00.000Z',
			documentRevoked: { at: '2026-12-09T08:00:00.000Z', reason: 'Issued in error' }
		});
		expect(headline(server)).toEqual({ kind: 'approved' });
	});

	it('gives a rejection the text of its code in every language, and the reviewer’s words', () => {
		const shown = headline(
			state({ status: 'rejected', reasonCode: 'site_not_allowed', reason: 'Бұл саябақ' })
		);
		expect(shown.kind).toBe('rejected');
		if (shown.kind !== 'rejected') return;
		expect(shown.reasonText?.ru).toBe('Торговля в этом месте не разрешена.');
		expect(shown.reasonText?.kk).toBe('Бұл жерде сауда жасауға рұқсат жоқ.');
		expect(shown.reason).toBe('Бұл саябақ');
	});

	it('shows no reason text for a code this build does not know, nor words never written', () => {
		const shown = headline(state({ status: 'rejected', reasonCode: 'from_the_future' }));
		expect(shown).toEqual({ kind: 'rejected', decidedAt: at('2026-12-07T10:00:00.000Z') });
	});

	it('asks for more information with the reviewer’s message and the asked fields', () => {
		const server = state({
			status: 'more_information',
			request: { fields: ['idDocumentPhoto'], message: 'Фото анық емес' }
		});
		expect(headline(server)).toEqual({
			kind: 'more_information',
			message: 'Фото анық емес',
			fields: ['idDocumentPhoto']
		});
	});

	it('says received while the office has not decided, and unknown for a newer status', () => {
		expect(headline(state()).kind).toBe('received');
		expect(headline(state({ status: 'in_review' })).kind).toBe('received');
		expect(headline(state({ status: 'archived' })).kind).toBe('unknown');
	});
});

describe('askedInputs', () => {
	it('lists the asked inputs in the form’s order with their labels, an address part by its own', () => {
		const asked = askedInputs(permit, ['idDocumentPhoto', 'siteAddress.street', 'businessName']);
		expect(asked.map((f) => f.name)).toEqual([
			'businessName',
			'siteAddress.street',
			'idDocumentPhoto'
		]);
		expect(asked[2]!.label.en).toBe('Photo of your ID card');
		expect(asked[1]!.label.en).toBe('Street');
	});

	it('leaves out a name the version does not have', () => {
		expect(askedInputs(permit, ['nothingLikeThis'])).toEqual([]);
	});
});

describe('timeline', () => {
	it('is made here, received and decided, each with its time', () => {
		const server = state({ status: 'approved', updatedAt: '2026-12-07T12:00:00.000Z' });
		const v = view(server);
		v.application.receivedAt = at('2026-12-07T09:01:00.000Z');
		expect(timeline(v)).toEqual([
			{ kind: 'made', at: at('2026-12-07T09:00:00.000Z') },
			{ kind: 'received', at: at('2026-12-07T09:01:00.000Z') },
			{ kind: 'approved', at: at('2026-12-07T12:00:00.000Z') }
		]);
	});

	it('ends with the revocation of its document, at its time, after an approval of no known time', () => {
		const server = state({
			status: 'approved',
			updatedAt: '2026-12-09T08:00:00.000Z',
			documentRevoked: { at: '2026-12-09T08:00:00.000Z', reason: 'Issued in error' }
		});
		const v = view(server);
		v.application.receivedAt = at('2026-12-07T09:01:00.000Z');
		expect(timeline(v).slice(2)).toEqual([
			{ kind: 'approved' },
			{ kind: 'revoked', at: at('2026-12-09T08:00:00.000Z') }
		]);
	});

	it('takes the receipt from a state still received, and shows none it cannot know', () => {
		expect(timeline(view(state()))[1]).toEqual({
			kind: 'received',
			at: at('2026-12-07T10:00:00.000Z')
		});
		const asked = timeline(view(state({ status: 'more_information' })));
		expect(asked.slice(1)).toEqual([
			{ kind: 'received' },
			{ kind: 'more_information', at: at('2026-12-07T10:00:00.000Z') }
		]);
	});

	it('says nothing of a phone it was not made on, and only "made" before the server answers', () => {
		expect(timeline(view(state(), { fromOtherDevice: true })).map((e) => e.kind)).toEqual([
			'received'
		]);
		expect(timeline(view(undefined)).map((e) => e.kind)).toEqual(['made']);
	});
});
