/**
 * Walks any service's form as a person would, one step per page, from the definition
 * itself: so every service, every step and every language is exercised by the same code.
 */
import type { Page } from 'playwright-core';
import type { Locale } from '../../shared/locale';
import { inputFields } from '../../shared/services/address';
import type {
	FieldDefinition,
	ServiceDefinition,
	StepDefinition
} from '../../shared/services/definition';

export interface WalkOptions {
	locale?: Locale;
	/** The Continue button's label in `locale`. */
	continueLabel?: string;
	/** The error summary's title in `locale`: given, each step is first sent blank. */
	errorSummaryTitle?: string;
	/** Called on every page shown: each step, and each step with its errors. */
	onPage?: (where: string) => Promise<void>;
}

const computed = (field: FieldDefinition) => field.kind === 'money' && field.computed === true;

/** A camera-like JPEG drawn in the page, for a photo field. */
export async function photoFile(page: Page, label: string) {
	const base64 = await page.evaluate(async (label) => {
		const canvas = new OffscreenCanvas(1200, 1600);
		const g = canvas.getContext('2d')!;
		g.fillStyle = '#f4f1e8';
		g.fillRect(0, 0, 1200, 1600);
		g.fillStyle = '#222';
		g.font = '64px serif';
		for (let line = 0; line < 20; line++) g.fillText(`${label} ${line}`, 80, 120 + line * 72);
		const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
		const bytes = new Uint8Array(await blob.arrayBuffer());
		let text = '';
		for (const byte of bytes) text += String.fromCharCode(byte);
		return btoa(text);
	}, label);
	return { name: `${label}.jpg`, mimeType: 'image/jpeg', buffer: Buffer.from(base64, 'base64') };
}

/** Fills one step's inputs by their ids from `answers`; photos get a drawn JPEG. */
export async function fillStep(
	page: Page,
	fields: readonly FieldDefinition[],
	answers: Record<string, string>
): Promise<void> {
	for (const field of fields.flatMap(inputFields)) {
		const input = page.locator(`[id="field-${field.name}"]`);
		if (field.kind === 'photo') {
			if (answers[field.name] === undefined) continue;
			await input.setInputFiles(await photoFile(page, field.name));
			// Stored on the device once the thumbnail shows.
			await page.locator(`[id="field-${field.name}-preview"]`).waitFor({ timeout: 15_000 });
			continue;
		}
		const value = answers[field.name];
		if (value === undefined || computed(field)) continue;
		if (field.kind === 'choice') await input.selectOption(value);
		else await input.fill(value);
	}
}

/** Fills `steps` of a service's form in turn, from the first of them, continuing after each. */
export async function walkSteps(
	page: Page,
	service: ServiceDefinition,
	steps: readonly StepDefinition[],
	answers: Record<string, string>,
	options: WalkOptions = {}
): Promise<void> {
	const locale = options.locale ?? 'en';
	const continueButton = page.getByRole('button', { name: options.continueLabel ?? 'Continue' });
	for (const step of steps) {
		await page.getByRole('heading', { name: step.title[locale], level: 1 }).waitFor();
		await options.onPage?.(`${service.id} ${step.id}`);
		const inputs = step.fields.flatMap(inputFields);
		if (options.errorSummaryTitle && inputs.some((f) => f.required && !computed(f))) {
			await continueButton.click();
			await page.getByRole('heading', { name: options.errorSummaryTitle }).waitFor();
			await options.onPage?.(`${service.id} ${step.id} with errors`);
		}
		await fillStep(page, step.fields, answers);
		await continueButton.click();
	}
}
