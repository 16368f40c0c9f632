/**
 * Moving a draft made on one version of a service to the next, by the rules the newer
 * definition states (`migration`). Nothing the person typed is lost silently: every old
 * answer is carried, transformed, or listed as dropped by the definition itself.
 */
import type { Localized } from '../locale';
import { REGIONS } from './address';
import type { Migration, ServiceDefinition } from './definition';
import type { Answers } from './validate';
import { serviceInputs } from './validate';

const TRANSFORMS: Record<Migration['transform'][number]['rule'], (text: string) => string> = {
	/** The region a free-text address names, in any language, or ''. */
	regionFromText: (text) => {
		const lower = text.toLocaleLowerCase('ru');
		// Longest names first, so "Almaty Region" wins over "Almaty".
		const names = REGIONS.flatMap((r) =>
			Object.values(r.label as Localized).map((name) => ({ value: r.value, name }))
		).sort((a, b) => b.name.length - a.name.length);
		return names.find((n) => lower.includes(n.name.toLocaleLowerCase('ru')))?.value ?? '';
	}
};

export interface MigratedDraft {
	answers: Answers;
	/** Inputs of the new version no rule filled: what the person must be asked. */
	newInputs: string[];
}

/** The answers of a draft made on `from`, as answers of `to` (which names the migration). */
export function migrateAnswers(
	from: ServiceDefinition,
	to: ServiceDefinition,
	answers: Answers
): MigratedDraft {
	const migration = to.migration;
	if (from.id !== to.id || migration?.from !== from.version) {
		throw new Error(`${to.id} v${to.version} has no migration from v${from.version}`);
	}
	const migrated: Answers = {};
	for (const [oldName, newName] of Object.entries(migration.carry)) {
		const value = answers[oldName];
		if (value !== undefined && value !== '') migrated[newName] = value;
	}
	for (const { rule, from: oldName, to: newName } of migration.transform) {
		const value = TRANSFORMS[rule](answers[oldName] ?? '');
		if (value !== '') migrated[newName] = value;
	}
	const newInputs = serviceInputs(to)
		.map((f) => f.name)
		.filter((name) => migrated[name] === undefined);
	return { answers: migrated, newInputs };
}
