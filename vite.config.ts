import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vite';

export default defineConfig({
	// Options (outdir, locale strategy) live in project.inlang/paraglide.config.js.
	plugins: [paraglideVitePlugin({ project: './project.inlang' }), sveltekit()],
	server: { proxy: { '/api': 'http://localhost:3000' } }
});
