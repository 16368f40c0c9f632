import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RULE = 'no-restricted-imports';

// The repository's own eslint.config.js, with type information off: the rule reads import
// strings only, and a program per probe file would take seconds each on a small machine.
const eslint = new ESLint({
	cwd: root,
	overrideConfig: ts.configs.disableTypeChecked,
	ruleFilter: ({ ruleId }) => ruleId === RULE
});

/** The dependency-rule errors ESLint reports for `source` written in the file at `path`. */
async function violations(path: string, source: string): Promise<string[]> {
	const [result] = await eslint.lintText(source, { filePath: `${root}/${path}` });
	return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

// Probe files that do not exist: the rule must hold for wherever files move next.
const forbidden: [path: string, source: string][] = [
	['shared/probe.ts', "import { db } from '$lib/db';"],
	['shared/probe.ts', "import { browser } from '$app/environment';"],
	['shared/probe.ts', "import { db } from '../app/lib/db';"],
	['shared/probe.ts', "import { app } from '../sync-server/app';"],
	['shared/probe.ts', "export { app } from './../sync-server/app';"],
	['shared/services/probe.ts', "import type { Db } from '../../app/lib/db';"],
	['shared/services/probe.ts', "import { serve } from '../../sync-server/feature/serve';"],
	['app/lib/probe.ts', "import { app } from '../../sync-server/app';"],
	['app/routes/a/b/Probe.svelte', "<script lang='ts'>import '../../../../sync-server';</script>"],
	['sync-server/probe.ts', "import { db } from '../app/lib/db';"],
	['sync-server/probe.ts', "import { db } from '$lib/db';"],
	['sync-server/feature/probe.ts', "import { db } from '../../app/lib/db/open';"],
	['sync-server/a/b/probe.ts', "import '../../../app';"]
];

const allowed: [path: string, source: string][] = [
	['shared/probe.ts', "import { parseTiyn } from './money';"],
	['shared/services/probe.ts', "import { parseTiyn } from '../money';"],
	['shared/probe.ts', "import * as v from 'valibot';"],
	['app/lib/probe.ts', "import { db } from '$lib/db';"],
	['app/lib/probe.ts', "import { PROTOCOL_VERSION } from '../../shared/protocol';"],
	['sync-server/probe.ts', "import { app } from './app';"],
	['sync-server/probe.ts', "import { PROTOCOL_VERSION } from '../shared/protocol';"],
	// One level down, `../app` is the server's own app.ts, not the PWA.
	['sync-server/feature/probe.ts', "import { app } from '../app';"],
	['sync-server/feature/probe.ts', "import { PROTOCOL_VERSION } from '../../shared/protocol';"]
];

describe('the dependency rule', () => {
	it.each(forbidden)('refuses in %s: %s', async (path, source) => {
		expect(await violations(path, source)).toEqual([RULE]);
	});

	it.each(allowed)('allows in %s: %s', async (path, source) => {
		expect(await violations(path, source)).toEqual([]);
	});

	it('covers every source file in app/, shared/ and sync-server/, however deep', async () => {
		const uncovered: string[] = [];
		for (const folder of ['app', 'shared', 'sync-server']) {
			for (const name of readdirSync(`${root}/${folder}`, { recursive: true, encoding: 'utf8' })) {
				if (!/\.(ts|js|svelte)$/.test(name)) continue;
				const path = `${root}/${folder}/${name}`;
				if (await eslint.isPathIgnored(path)) continue;
				const config = (await eslint.calculateConfigForFile(path)) as {
					rules?: Record<string, unknown>;
				};
				if (!config.rules?.[RULE]) uncovered.push(`${folder}/${name}`);
			}
		}
		expect(uncovered).toEqual([]);
	});
});
