import { describe, expect, it } from 'vitest';
import { FieldErrorCode } from '../../shared/errors';
import { birthRegistration } from '../../shared/services/birth-registration';
import {
	firstStepWithError,
	nextStep,
	previousStep,
	resumeAt,
	stepErrors,
	stepInputs
} from '../../app/lib/forms/steps';

const steps = birthRegistration.steps.map((s) => s.id);

describe('the way through a form', () => {
	it('goes step by step, then to check-your-answers', () => {
		expect(steps.length).toBeGreaterThan(2);
		expect(nextStep(birthRegistration, steps[0]!)?.id).toBe(steps[1]);
		expect(nextStep(birthRegistration, steps.at(-1)!)).toBeUndefined();
		expect(previousStep(birthRegistration, steps[1]!)?.id).toBe(steps[0]);
		expect(previousStep(birthRegistration, steps[0]!)).toBeUndefined();
	});

	it('names an address by its parts', () => {
		const child = birthRegistration.steps.find((s) => s.id === 'child')!;
		expect(stepInputs(child)).toContain('birthPlace.region');
		expect(stepInputs(child)).not.toContain('birthPlace');
	});

	it('puts each error on the step that asks the field', () => {
		const errors = {
			childBirthDate: FieldErrorCode.dateInFuture,
			motherIin: FieldErrorCode.invalidIin
		};
		const child = birthRegistration.steps.find((s) => s.id === 'child')!;
		expect(stepErrors(child, errors)).toEqual({ childBirthDate: FieldErrorCode.dateInFuture });
		expect(
			firstStepWithError(birthRegistration, { motherIin: FieldErrorCode.invalidIin })?.id
		).toBe('mother');
		expect(firstStepWithError(birthRegistration, {})).toBeUndefined();
	});

	it('asks a moved draft only the steps with new questions', () => {
		const askOnly = ['informantIin'];
		expect(resumeAt(birthRegistration, undefined, askOnly)).toBe('informant');
		expect(nextStep(birthRegistration, 'informant', askOnly)).toBeUndefined();
		expect(previousStep(birthRegistration, 'informant', askOnly)).toBeUndefined();
	});

	it('resumes where the person left, or at the start', () => {
		expect(resumeAt(birthRegistration, 'mother')).toBe('mother');
		expect(resumeAt(birthRegistration, 'check')).toBe('check');
		expect(resumeAt(birthRegistration, 'no-such-step')).toBe(steps[0]);
		expect(resumeAt(birthRegistration, undefined)).toBe(steps[0]);
	});
});
