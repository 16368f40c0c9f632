/**
 * The device and the server never disagree about answers: both run the shared validator,
 * the server on what crossed the wire. Checked on arbitrary answer objects, most of them
 * near-valid (one wrong digit, a date a day out, a value of the wrong type), for every
 * service, through the server's own submit check.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { iinCheckDigit } from '../../shared/iin';
import { formatTenge } from '../../shared/money';
import { SERVICES } from '../../shared/services/catalog';
import type { FieldDefinition, ServiceDefinition } from '../../shared/services/definition';
import { computedAnswers, serviceInputs, validateAnswers } from '../../shared/services/validate';
import { bundledCatalogue } from '../../sync-server/catalogue/catalogue';
import { checkSubmit } from '../../sync-server/sync/push';
import { GOOD_BIRTH, GOOD_IE_V2, GOOD_PERMIT, GOOD_TAX, TODAY } from '../support/service-answers';

const GOOD: Record<string, Record<string, string>> = {
	'individual-entrepreneur@2': GOOD_IE_V2,
	'birth-registration@1': GOOD_BIRTH,
	'simplified-tax-declaration@1': GOOD_TAX,
	'trade-outlet-permit@1': GOOD_PERMIT,
	'individual-entrepreneur@1': {
		iin: '061211600012',
		fullName: 'Сейтқали Айгүл',
		businessName: 'ЖК Сейтқали',
		activity: 'retail',
		address: 'Ақсу ауылы',
		phone: '+77012345678'
	}
};

const twelveDigits = fc
	.stringMatching(/^\d{11}$/)
	.map((first11) => `${first11}${iinCheckDigit(first11) ?? 0}`);
const isoDate = fc
	.date({ min: new Date('1899-01-01'), max: new Date('2100-12-31'), noInvalidDate: true })
	.map((d) => d.toISOString().slice(0, 10));

/** Values a person, an old app or a hostile client might send for one input. */
function answerFor(field: FieldDefinition, good: string | undefined): fc.Arbitrary<unknown> {
	const kind: fc.Arbitrary<unknown> = (() => {
		switch (field.kind) {
			case 'text':
				return fc.oneof(
					fc.string({ maxLength: field.maxLength + 2 }),
					fc.stringMatching(/^\d{5,13}$/)
				);
			case 'number':
				return fc.integer({ min: field.min - 2, max: field.max + 2 }).map(String);
			case 'money':
				return fc
					.bigInt({ min: -10_000n, max: 10n ** 14n })
					.chain((tiyn) =>
						fc.constantFrom(formatTenge(tiyn), formatTenge(tiyn).replace('.', ','), ` ${tiyn} `)
					);
			case 'date':
				return fc.oneof(
					isoDate,
					isoDate.map((d) => d.split('-').reverse().join('.')),
					fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/)
				);
			case 'choice':
				return fc.oneof(fc.constantFrom(...field.options.map((o) => o.value)), fc.string());
			case 'iin':
			case 'bin':
				return fc.oneof(twelveDigits, fc.stringMatching(/^\d{12}$/));
			case 'phone':
				return fc.constantFrom('+77012345678', '8 (701) 234-56-78', '+1 202 555 0100', '7012');
			case 'photo':
				// A SHA-256, one in the wrong case or cut short, or anything else.
				return fc.oneof(
					fc.stringMatching(/^[0-9a-f]{64}$/),
					fc.stringMatching(/^[0-9A-F]{64}$/),
					fc.stringMatching(/^[0-9a-f]{63}$/)
				);
			default:
				return fc.string();
		}
	})();
	return fc.oneof(
		{ weight: 4, arbitrary: good === undefined ? fc.constant('') : fc.constant(good) },
		{ weight: 4, arbitrary: kind },
		{ weight: 1, arbitrary: fc.constantFrom('', '   ', undefined) },
		{
			weight: 1,
			arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()))
		}
	);
}

/**
 * An answers object for a service: the good answers with one or two inputs changed (the
 * near-valid case, where a verdict could most easily differ), or every input drawn at
 * random; the tax figures sometimes worked out, sometimes not.
 */
function answersFor(service: ServiceDefinition): fc.Arbitrary<unknown> {
	const good = GOOD[`${service.id}@${service.version}`] ?? {};
	const inputs = serviceInputs(service);
	const entries = Object.fromEntries(inputs.map((f) => [f.name, answerFor(f, good[f.name])]));
	const changed = fc
		.array(
			fc.constantFrom(...inputs).chain((f) => answerFor(f, undefined).map((v) => [f.name, v])),
			{ maxLength: 2 }
		)
		.map((pairs) => ({ ...good, ...Object.fromEntries(pairs) }) as Record<string, unknown>);
	const random = fc.record(entries, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>;
	const record = fc
		.tuple(fc.oneof(changed, random), fc.boolean(), fc.dictionary(fc.string(), fc.string()))
		.map(([answers, fill, extra]) => {
			const withExtra = { ...extra, ...answers };
			const strings = Object.fromEntries(
				Object.entries(withExtra).filter(([, v]) => typeof v === 'string')
			) as Record<string, string>;
			return fill
				? { ...withExtra, ...computedAnswers(service, strings, { today: TODAY }) }
				: withExtra;
		});
	return fc.oneof({ weight: 19, arbitrary: record }, { weight: 1, arbitrary: fc.jsonValue() });
}

/** What crossed the wire: JSON, with nothing JSON cannot carry. */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as unknown;

describe.each(SERVICES.map((s) => [`${s.id}@${s.version}`, s] as const))('%s', (_, service) => {
	beforeAll(() => {
		// The server reads today from its clock; the device is given the same day.
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date(`${TODAY}T12:00:00+05:00`));
	});
	afterAll(() => vi.useRealTimers());

	it('the device and the server give the same verdict', () => {
		fc.assert(
			fc.property(answersFor(service), (input) => {
				const sent = wire(input);
				const device = validateAnswers(service, sent, { today: TODAY });
				const server = checkSubmit(
					{
						id: '01900000-0000-7000-8000-000000000000',
						seq: 1,
						type: 'application.submit',
						applicationId: '01900000-0000-7000-8000-000000000001',
						serviceId: service.id,
						serviceVersion: service.version,
						answers: sent as Record<string, unknown>
					},
					bundledCatalogue
				);
				if (device.ok) {
					expect(server).toMatchObject({ ok: true, answers: device.answers });
				} else {
					expect(server.ok).toBe(false);
					if (!server.ok && server.result.status === 'rejected') {
						expect(server.result.fieldErrors).toEqual(device.fieldErrors);
					}
				}
			}),
			{ numRuns: 400 }
		);
	});

	it('normalizing normalized answers changes nothing, and they survive the wire', () => {
		let valid = 0;
		fc.assert(
			fc.property(answersFor(service), (input) => {
				const first = validateAnswers(service, input, { today: TODAY });
				if (!first.ok) return;
				valid++;
				expect(validateAnswers(service, wire(first.answers), { today: TODAY })).toEqual(first);
			}),
			{ numRuns: 400 }
		);
		// The generators reach the valid side often enough for this to mean something.
		expect(valid).toBeGreaterThan(40);
	});

	it('accepts its good answers, so the generators reach the valid side', () => {
		const good = GOOD[`${service.id}@${service.version}`];
		expect(validateAnswers(service, good, { today: TODAY }).ok).toBe(true);
	});
});
