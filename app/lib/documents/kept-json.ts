import * as v from 'valibot';

/**
 * What `storage` keeps under `key`, if it is JSON of `schema`'s shape; undefined when it
 * holds nothing, or anything else (another version's shape, text edited by hand).
 */
export function keptJson<S extends v.GenericSchema>(
	storage: Storage,
	key: string,
	schema: S
): v.InferOutput<S> | undefined {
	try {
		const parsed = v.safeParse(schema, JSON.parse(storage.getItem(key) ?? 'null'));
		return parsed.success ? parsed.output : undefined;
	} catch {
		return undefined;
	}
}
