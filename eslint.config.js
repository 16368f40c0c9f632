import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/**
 * Which way imports may point: `shared/` is the rules both sides run, so it imports
 * neither side; the app and the sync server meet only in `shared/`. ESLint matches an
 * import as written, not resolved, so a relative path is checked at the depth of the file
 * that holds it: from `sync-server/routes/x.ts`, `../app` is the server's own app.ts and
 * `../../app` is the PWA. Only folder depths are spelled out, never file names, so files
 * can move between folders freely (tests/unit/dependency-rule.test.ts checks every file
 * is covered).
 */
const LAYERS = [
	{
		folder: 'shared',
		forbidden: ['app', 'sync-server'],
		sveltekit: true,
		message: 'shared/ runs on the device and the server alike: it imports neither side.'
	},
	{
		folder: 'app',
		forbidden: ['sync-server'],
		sveltekit: false,
		message: 'The app reaches the server over HTTP only; what both need belongs in shared/.'
	},
	{
		folder: 'sync-server',
		forbidden: ['app'],
		sveltekit: true,
		message: 'The sync server does not import the app; what both need belongs in shared/.'
	}
];
/** Deeper than any folder today (app/routes goes 5 levels down). */
const DEEPEST = 8;

function dependencyRules() {
	const configs = [];
	for (const { folder, forbidden, sveltekit, message } of LAYERS) {
		for (let depth = 1; depth <= DEEPEST; depth++) {
			const patterns = [
				{
					// `depth` steps up is the repository root; `./../` is the same path written longer.
					regex: `^(\\./)?(\\.\\./){${depth}}(${forbidden.join('|')})(/|$)`,
					message
				}
			];
			// SvelteKit's modules ($lib, $app/*, $env/*, $service-worker) exist only in the app.
			if (sveltekit) patterns.push({ regex: '^\\$(lib|app|env|service-worker)(/|$)', message });
			configs.push({
				files: [`${folder}/${'*/'.repeat(depth - 1)}*.{js,ts,svelte}`],
				rules: { 'no-restricted-imports': ['error', { patterns }] }
			});
		}
	}
	return configs;
}

export default ts.config(
	{
		ignores: [
			'build/',
			'.svelte-kit/',
			'app/lib/paraglide/',
			'node_modules/',
			'data/',
			'sync-server/drizzle/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: {
			globals: { ...globals.browser, ...globals.node },
			parserOptions: {
				projectService: {
					// Config files and the service worker (which tsconfig.sw.json type-checks).
					allowDefaultProject: ['vitest.config.ts', 'drizzle.config.ts', 'app/service-worker.ts']
				},
				tsconfigRootDir: import.meta.dirname,
				extraFileExtensions: ['.svelte']
			}
		},
		rules: {
			// An unawaited IndexedDB write or fetch is how queued data gets lost.
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/no-misused-promises': 'error',
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', ignoreRestSiblings: true }
			]
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: { parserOptions: { parser: ts.parser, svelteConfig } }
	},
	{
		files: ['**/*.js'],
		...ts.configs.disableTypeChecked
	},
	...dependencyRules()
);
