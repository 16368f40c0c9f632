/**
 * Reads the text of a QR code from a photo or a camera frame: the browser's own
 * `BarcodeDetector` where it has one that knows QR codes (Android Chrome, Safari 17+), else
 * the ZXing WebAssembly decoder, loaded the first time it is needed.
 */

/** The part of the Barcode Detection API this uses (not in TypeScript's DOM types yet). */
interface Detector {
	detect(image: ImageBitmapSource): Promise<{ rawValue: string }[]>;
}
interface DetectorClass {
	new (options: { formats: string[] }): Detector;
	getSupportedFormats(): Promise<string[]>;
}

let native: Promise<Detector | undefined> | undefined;

function nativeDetector(): Promise<Detector | undefined> {
	native ??= (async () => {
		if (!('BarcodeDetector' in window)) return undefined;
		const Barcode = (window as unknown as { BarcodeDetector: DetectorClass }).BarcodeDetector;
		try {
			if (!(await Barcode.getSupportedFormats()).includes('qr_code')) return undefined;
			return new Barcode({ formats: ['qr_code'] });
		} catch {
			return undefined;
		}
	})();
	return native;
}

let zxing: Promise<typeof import('./zxing')> | undefined;

/** The ZXing module, ready to read; a failed load (offline, never kept) is tried again next time. */
function loadZxing(): Promise<typeof import('./zxing')> {
	zxing ??= import('./zxing')
		.then(async (module) => {
			await module.zxingReady();
			return module;
		})
		.catch((error: unknown) => {
			zxing = undefined;
			throw new ReaderUnavailable(String(error));
		});
	return zxing;
}

/** No decoder could be loaded: the person is told to connect, or to paste the text. */
export class ReaderUnavailable extends Error {}

/** The file is not a picture the browser can open. */
export class NotAPicture extends Error {}

/** The longest side a photo is read at: a phone's 12-megapixel photo would be 48 MB of pixels. */
const MAX_SIDE = 2000;

/** A photo's file drawn on a canvas, scaled down to MAX_SIDE. Throws NotAPicture. */
export async function pictureOf(file: Blob): Promise<HTMLCanvasElement> {
	let bitmap: ImageBitmap;
	try {
		bitmap = await createImageBitmap(file);
	} catch (error) {
		throw new NotAPicture(String(error));
	}
	const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
	const canvas = document.createElement('canvas');
	canvas.width = Math.max(1, Math.round(bitmap.width * scale));
	canvas.height = Math.max(1, Math.round(bitmap.height * scale));
	canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
	bitmap.close();
	return canvas;
}

/**
 * The text of the QR code on `canvas` (a photo, or a camera frame); undefined when it holds
 * none. Throws ReaderUnavailable when no decoder loads.
 */
export async function readQr(canvas: HTMLCanvasElement): Promise<string | undefined> {
	const detector = await nativeDetector();
	if (detector) return (await detector.detect(canvas))[0]?.rawValue;
	const module = await loadZxing();
	const context = canvas.getContext('2d', { willReadFrequently: true });
	if (!context) return undefined;
	return module.zxingRead(context.getImageData(0, 0, canvas.width, canvas.height));
}
