import { describe, expect, it } from 'vitest';
import {
	individualEntrepreneur,
	individualEntrepreneurV2
} from '../../shared/services/individual-entrepreneur';
import { draftMove } from '../../app/lib/drafts/migrate-draft';

const V1_ANSWERS = {
	iin: '061211600012',
	fullName: 'Сейтқали Айгүл Нұрланқызы',
	phone: '+77012345678',
	businessName: 'ЖК Сейтқали',
	activity: 'retail',
	address: 'Түркістан облысы, Сайрам ауданы, Ақсу, Абай көшесі 12'
};
const retiredV1 = { ...individualEntrepreneur, supported: false };
const draft = { answers: V1_ANSWERS };

describe('moving a draft off a retired version', () => {
	it('leaves a draft on a version still accepted where it is', () => {
		expect(
			draftMove(individualEntrepreneur, [individualEntrepreneur, individualEntrepreneurV2], draft)
		).toBeUndefined();
	});

	it('carries the answers over and asks only for what is new', () => {
		const move = draftMove(retiredV1, [retiredV1, individualEntrepreneurV2], draft)!;
		expect(move.service.version).toBe(2);
		expect(move.answers).toMatchObject({
			tradeName: 'ЖК Сейтқали',
			iin: V1_ANSWERS.iin,
			'businessAddress.region': 'turkistan'
		});
		expect(move.askOnly).toContain('taxRegime');
		expect(move.askOnly).toContain('startDate');
		expect(move.askOnly).toContain('businessAddress.street');
		expect(move.askOnly).not.toContain('tradeName');
		expect(move.askOnly).not.toContain('businessAddress.region');
	});

	it('never moves a correction, nor a draft no migration can carry', () => {
		expect(
			draftMove(retiredV1, [retiredV1, individualEntrepreneurV2], {
				...draft,
				amends: { applicationId: 'a', baseVersion: 1 }
			})
		).toBeUndefined();
		expect(draftMove(retiredV1, [retiredV1], draft)).toBeUndefined();
	});
});
