/**
 * The QR decoder for browsers without `BarcodeDetector` (Chromium on Linux, Firefox, older
 * Safari): ZXing-C++ compiled to WebAssembly, reader only. Imported on first use, never by
 * another page, so the citizen's install and first visit never carry it (budget: "QR
 * decoder"). Its .wasm is served from our own origin: the library would fetch it from a CDN
 * unless told where it is, and the CSP allows no other origin.
 */
import { prepareZXingModule, purgeZXingModule, readBarcodes } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

const overrides = {
	locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path)
};

/** Fetches and compiles the decoder; a failure (offline, never kept) can be tried again. */
export async function zxingReady(): Promise<void> {
	try {
		await prepareZXingModule({ overrides, fireImmediately: true });
	} catch (error) {
		purgeZXingModule();
		throw error;
	}
}

/** The text of the first QR code ZXing finds in `image`; undefined when there is none. */
export async function zxingRead(image: ImageData): Promise<string | undefined> {
	const found = await readBarcodes(image, {
		formats: ['QRCode'],
		tryHarder: true,
		maxNumberOfSymbols: 1
	});
	return found.find((result) => result.isValid && result.text)?.text;
}
