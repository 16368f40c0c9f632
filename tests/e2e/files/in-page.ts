/**
 * What runs inside the page for the upload test and bench:upload: a camera-like photo,
 * a sign-in where the page is not the app, and the globals the steps hand each other.
 * Functions here are passed to `page.evaluate`, so they use nothing from their module scope.
 */
import type { DalaDatabase, DeviceIdentity } from '../../../app/lib/db/database';
import type * as FilesModule from './entry';

/** The page's globals while a test drives app/lib/files. */
export interface InPage {
	files: typeof FilesModule;
	photo: Blob;
	db: DalaDatabase;
	identity: DeviceIdentity;
	fileId: string;
	/** The sign-in code's challenge, between `askSignInCode` and `confirmSignIn`. */
	challengeId?: string;
	progress: { sent: number; total: number };
	result?: string;
}

/** The script that imports the bundled module into the page as `globalThis.files`. */
export function importScript(moduleCode: string): string {
	// A string, not a function: vitest would rewrite a function's import() for Node.
	return `(async () => {
		const url = URL.createObjectURL(new Blob([${JSON.stringify(moduleCode)}], { type: 'text/javascript' }));
		globalThis.files = await import(url);
	})()`;
}

/**
 * A camera-like JPEG (3000×4000, several MB: text on paper with sensor noise) with an
 * APP1 Exif segment where a camera puts the GPS position; kept as `globalThis.photo`.
 * Each `seed` makes different noise, so different bytes; `noise` is its amplitude (the
 * larger, the larger the file: 12 makes ~5 MB).
 */
export async function cameraPhoto({
	seed = 7,
	noise = 12,
	quality = 0.92
}: { seed?: number; noise?: number; quality?: number } = {}): Promise<{
	size: number;
	hasExif: boolean;
}> {
	const g = globalThis as unknown as InPage;
	const canvas = new OffscreenCanvas(3000, 4000);
	const context = canvas.getContext('2d')!;
	const gradient = context.createLinearGradient(0, 0, 3000, 4000);
	gradient.addColorStop(0, '#f4efe4');
	gradient.addColorStop(1, '#d9d2c0');
	context.fillStyle = gradient;
	context.fillRect(0, 0, 3000, 4000);
	context.fillStyle = '#1d1d1d';
	context.font = '64px serif';
	for (let line = 0; line < 48; line++) {
		context.fillText(
			`Line ${line}: Қазақстан Республикасы · Republic of Kazakhstan · ${line * 7919}`,
			120,
			200 + line * 78
		);
	}
	// Sensor noise: what makes a real photo large.
	const pixels = context.getImageData(0, 0, 3000, 4000);
	let state = seed;
	for (let i = 0; i < pixels.data.length; i += 4) {
		state = (state * 1103515245 + 12345) & 0x7fffffff;
		const n = ((state >> 16) % (2 * noise + 1)) - noise;
		for (let c = 0; c < 3; c++) pixels.data[i + c] = pixels.data[i + c]! + n;
	}
	context.putImageData(pixels, 0, 0);
	const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
	const jpeg = new Uint8Array(await blob.arrayBuffer());
	// Exif, then a minimal TIFF header (little-endian) with an empty IFD.
	const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, 0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0];
	const app1 = [0xff, 0xe1, 0x00, payload.length + 2, ...payload];
	const withExif = new Uint8Array(jpeg.length + app1.length);
	withExif.set(jpeg.subarray(0, 2));
	withExif.set(app1, 2);
	withExif.set(jpeg.subarray(2), 2 + app1.length);
	g.photo = new Blob([withExif], { type: 'image/jpeg' });
	return { size: withExif.length, hasExif: g.files.jpegHasApp1(withExif) };
}

/**
 * Prepares `globalThis.photo` as a form will (downscaled, re-encoded, hashed, kept in
 * Dexie), registers the device with the server, and reports what the photo became.
 */
export async function prepareAndStore() {
	const g = globalThis as unknown as InPage;
	const prepared = await g.files.prepareImage(g.photo);
	const db = g.files.openDatabase();
	const identity = await g.files.deviceIdentity(db);
	await g.files.registerDevice(identity);
	const fileId = await g.files.storeFile(db, 'draft-1', 'sitePhoto', prepared);
	const bytes = new Uint8Array(await prepared.blob.arrayBuffer());
	Object.assign(g, { db, identity, fileId, progress: { sent: 0, total: 0 } });
	return {
		size: prepared.size,
		sha256: prepared.sha256,
		image: prepared.image!,
		hasExif: g.files.jpegHasApp1(bytes)
	};
}

/**
 * Asks the server for a sign-in code for `person`, as the app's sign-in page does, on a
 * page that is not the app (bench:upload's); resolves to the phone as the server masked
 * it, by which the code is found in the server's log. Then `confirmSignIn`.
 */
export async function askSignInCode(person: { iin: string; phone: string }): Promise<string> {
	const g = globalThis as unknown as InPage;
	const db = g.files.openDatabase();
	const asked = await g.files.requestSignInCode(db, person);
	g.challengeId = asked.challengeId;
	return asked.maskedPhone;
}

/** Confirms the code: the session is kept in the device's IndexedDB, as the app keeps it. */
export async function confirmSignIn(code: string): Promise<void> {
	const g = globalThis as unknown as InPage;
	const db = g.files.openDatabase();
	await g.files.confirmSignInCode(db, { challengeId: g.challengeId!, code });
}

/**
 * Starts uploading the stored file with the session the device holds (protocol 3 shows it
 * on every request); resolves once started, and `globalThis.result` becomes its final state.
 */
export async function startUpload(): Promise<void> {
	const g = globalThis as unknown as InPage;
	// Read as the app's sync code reads it: refreshed first if it is about to run out.
	const token = await g.files.sessionTokens(g.db, g.identity).current();
	if (!token) throw new Error('nobody is signed in on this device');
	g.files
		.uploadFile({
			db: g.db,
			identity: g.identity,
			fileId: g.fileId,
			accessToken: token,
			onProgress: (sent, total) => Object.assign(g.progress, { sent, total })
		})
		.then(
			(row) => (g.result = row.state),
			(error: Error) => (g.result = `error: ${error.message}`)
		);
}

/** Where the stored file stands in Dexie. */
export async function storedState() {
	const g = globalThis as unknown as InPage;
	const row = await g.db.files.get(g.fileId);
	return { state: row?.state, uploadUrl: row?.uploadUrl, offset: row?.offset };
}

/** What the server says of the owner's file with this hash. */
export async function serverStatus(sha256: string) {
	const g = globalThis as unknown as InPage;
	const token = await g.files.sessionTokens(g.db, g.identity).current();
	return g.files.remoteFileStatus(location.origin, g.identity, sha256, undefined, token);
}
