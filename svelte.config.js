import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		// A single-page app: every route renders in the browser, so the server only
		// has to hand out files and the service worker can serve any URL offline.
		adapter: adapter({ fallback: 'index.html', precompress: true, strict: true }),
		files: {
			src: 'app',
			lib: 'app/lib',
			routes: 'app/routes',
			appTemplate: 'app/app.html',
			serviceWorker: 'app/service-worker',
			assets: 'static'
		},
		// Registered by workbox-window (app/lib/pwa), which drives the update prompt.
		serviceWorker: { register: false },
		alias: { $shared: 'shared' },
		version: { pollInterval: 0 }
	}
};

export default config;
