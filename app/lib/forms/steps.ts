/**
 * The way through a service's form, one step per page: which step comes next, which
 * step an error belongs to, where a draft resumes. Pure, so the rules are tested without
 * a browser and every page uses the same ones.
 */
import type { FieldErrors } from '../../../shared/errors';
import { inputFields } from '../../../shared/services/address';
import type { ServiceDefinition, StepDefinition } from '../../../shared/services/definition';

/** The names of the inputs a step asks (an address by part). */
export function stepInputs(step: StepDefinition): string[] {
	return step.fields.flatMap(inputFields).map((f) => f.name);
}

/** The errors that belong on this step's page. */
export function stepErrors(step: StepDefinition, errors: FieldErrors): FieldErrors {
	const names = new Set(stepInputs(step));
	return Object.fromEntries(Object.entries(errors).filter(([name]) => names.has(name)));
}

/**
 * Whether the person is shown this step. A draft moved to a newer version of its service
 * asks only for what is new (`askOnly`): the steps holding none of it are skipped.
 */
function asked(step: StepDefinition, askOnly: readonly string[] | undefined): boolean {
	return !askOnly || stepInputs(step).some((name) => askOnly.includes(name));
}

/** The step after `stepId`, or undefined when the next page is check-your-answers. */
export function nextStep(
	service: ServiceDefinition,
	stepId: string,
	askOnly?: readonly string[]
): StepDefinition | undefined {
	const index = service.steps.findIndex((s) => s.id === stepId);
	return service.steps.slice(index + 1).find((s) => asked(s, askOnly));
}

/** The step before `stepId`, or undefined on the first. */
export function previousStep(
	service: ServiceDefinition,
	stepId: string,
	askOnly?: readonly string[]
): StepDefinition | undefined {
	const index = service.steps.findIndex((s) => s.id === stepId);
	return service.steps.slice(0, Math.max(index, 0)).findLast((s) => asked(s, askOnly));
}

/** The first step holding one of these errors, or undefined when none does. */
export function firstStepWithError(
	service: ServiceDefinition,
	errors: FieldErrors
): StepDefinition | undefined {
	return service.steps.find((step) => Object.keys(stepErrors(step, errors)).length > 0);
}

/**
 * Where an opened draft continues: the step the person was last on, else the first step
 * they are asked. `'check'` is the check-your-answers page.
 */
export function resumeAt(
	service: ServiceDefinition,
	remembered: string | undefined,
	askOnly?: readonly string[]
): string {
	if (remembered === 'check') return remembered;
	if (remembered && service.steps.some((s) => s.id === remembered && asked(s, askOnly))) {
		return remembered;
	}
	return service.steps.find((s) => asked(s, askOnly))?.id ?? 'check';
}
