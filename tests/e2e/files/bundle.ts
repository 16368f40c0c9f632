/** app/lib/files as one ES module a page can import: the modules the app would bundle. */
import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';

export async function bundleFilesModule(): Promise<string> {
	const output = await build({
		configFile: false,
		logLevel: 'silent',
		build: {
			write: false,
			minify: false,
			target: 'es2022',
			lib: {
				entry: fileURLToPath(new URL('./entry.ts', import.meta.url)),
				formats: ['es'],
				fileName: 'files'
			}
		}
	});
	const results = (Array.isArray(output) ? output : [output]) as Rollup.RollupOutput[];
	const chunk = results[0]?.output.find((item) => item.type === 'chunk');
	if (!chunk || chunk.type !== 'chunk') throw new Error('vite built no chunk');
	return chunk.code;
}
