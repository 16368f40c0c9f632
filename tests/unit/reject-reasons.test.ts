import { describe, expect, it } from 'vitest';
import { SERVICES, currentServices } from '../../shared/services/catalog';
import {
	askableFields,
	REJECT_REASONS,
	rejectReason,
	rejectReasons
} from '../../shared/services/reject-reasons';
import { serviceInputs } from '../../shared/services/validate';

describe('the reasons a reviewer may reject for', () => {
	it('are listed for every service offered, 3 to 5 of them, with unique codes', () => {
		for (const service of currentServices()) {
			const reasons = rejectReasons(service.id);
			expect(reasons.length, service.id).toBeGreaterThanOrEqual(3);
			expect(reasons.length, service.id).toBeLessThanOrEqual(5);
			expect(new Set(reasons.map((r) => r.code)).size, service.id).toBe(reasons.length);
		}
	});

	it('say each reason in kk, ru and en, and name only services that exist', () => {
		const ids = new Set(SERVICES.map((s) => s.id));
		for (const [id, reasons] of Object.entries(REJECT_REASONS)) {
			expect(ids.has(id), id).toBe(true);
			for (const reason of reasons) {
				expect(reason.code).toMatch(/^[a-z_]{1,64}$/);
				for (const text of Object.values(reason.text)) expect(text.trim()).not.toBe('');
				expect(Object.keys(reason.text).sort()).toEqual(['en', 'kk', 'ru']);
			}
		}
	});

	it('find a code only in its own service', () => {
		expect(rejectReason('birth-registration', 'medical_record_missing')).toBeDefined();
		expect(rejectReason('trade-outlet-permit', 'medical_record_missing')).toBeUndefined();
		expect(rejectReason('no-such-service', 'already_registered')).toBeUndefined();
	});
});

describe('the answers a reviewer may ask for again', () => {
	it('are every input the person fills in, and an address as a whole', () => {
		for (const service of SERVICES) {
			const askable = askableFields(service);
			for (const input of serviceInputs(service)) {
				const computed = input.kind === 'money' && input.computed === true;
				expect(askable.has(input.name), `${service.id} ${input.name}`).toBe(!computed);
			}
			for (const field of service.fields) {
				if (field.kind === 'address') expect(askable.has(field.name)).toBe(true);
			}
		}
	});
});
