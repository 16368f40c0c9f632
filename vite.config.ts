import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vite';
import { precacheExclusions } from './scripts/precache-exclusions.ts';

export default defineConfig({
	plugins: [
		paraglideVitePlugin({
			project: './project.inlang',
			outdir: './app/lib/paraglide',
			// The choice is kept on the device (localStorage); a first visit follows the
			// browser's languages. The `check` script compiles with the same strategy, so
			// whichever runs last leaves the same runtime behind.
			strategy: ['localStorage', 'preferredLanguage', 'baseLocale']
		}),
		sveltekit(),
		precacheExclusions()
	],
	server: { proxy: { '/api': 'http://localhost:3000' } }
});
