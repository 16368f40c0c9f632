/**
 * Photos are made small on the device before anything is queued: a phone camera's 3–5 MB
 * JPEG is ~2 minutes of a 2G link, and a document stays legible at a fraction of that.
 * Re-encoding through a canvas also drops every metadata segment (EXIF with its GPS
 * position, the camera's serial number, XMP): only pixels are drawn.
 */
import { ErrorCode } from '../../../shared/errors';
import {
	hasMagic,
	isFileType,
	MAGIC_BYTES,
	MAX_FILE_BYTES,
	TARGET_PHOTO_BYTES,
	type FileType
} from '../../../shared/files';

/** A file ready to be stored and sent. */
export interface PreparedFile {
	blob: Blob;
	type: FileType;
	size: number;
	/** SHA-256 of `blob`, 64 hex digits. */
	sha256: string;
	/** For a re-encoded photo: what it became. */
	image?: { width: number; height: number; quality: number };
}

/** Why a file cannot be attached; the codes are the server's, so one message serves both. */
export class FileRefused extends Error {
	constructor(
		readonly code:
			| typeof ErrorCode.fileTypeNotAllowed
			| typeof ErrorCode.fileTooLarge
			| typeof ErrorCode.fileTypeMismatch,
		message: string
	) {
		super(message);
		this.name = 'FileRefused';
	}
}

/** SHA-256 of a Blob as 64 lowercase hex digits. */
export async function sha256Hex(blob: Blob): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface PrepareImageOptions {
	/** Longest edge, in pixels, to try first; smaller ones follow if the bytes do not fit. */
	maxEdge?: number;
	/** The size to get under. */
	targetBytes?: number;
	/** JPEG by default: every browser encodes it (Safari's canvas cannot write WebP). */
	type?: 'image/jpeg' | 'image/webp';
}

// Qualities tried in turn. Below 0.5 the JPEG blocks start to eat the small print of a
// document; a smaller image at 0.5 reads better than a large one at 0.3.
const QUALITIES = [0.85, 0.75, 0.65, 0.55, 0.5];
// Long edges tried in turn: 1600 px keeps an A4 page's 8-point text readable.
const EDGES = [1600, 1280, 1024, 800];

type Canvas = OffscreenCanvas | HTMLCanvasElement;

function canvasOf(width: number, height: number): Canvas {
	if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
	const canvas = document.createElement('canvas');
	canvas.width = width;
	canvas.height = height;
	return canvas;
}

async function encode(canvas: Canvas, type: string, quality: number): Promise<Blob> {
	if ('convertToBlob' in canvas) return canvas.convertToBlob({ type, quality });
	return new Promise((resolve, reject) =>
		canvas.toBlob(
			(blob) => (blob ? resolve(blob) : reject(new Error('canvas could not encode'))),
			type,
			quality
		)
	);
}

/**
 * Downscales and re-encodes a photo until it is at most `targetBytes` (200 KB): the
 * largest edge first, quality stepping down to 0.5, then a smaller edge. Keeps the
 * orientation the camera recorded (applied to the pixels), and nothing else of the
 * original's metadata. Never upscales.
 */
export async function prepareImage(
	file: Blob,
	options: PrepareImageOptions = {}
): Promise<PreparedFile> {
	const { targetBytes = TARGET_PHOTO_BYTES, type = 'image/jpeg' } = options;
	const edges = options.maxEdge
		? [options.maxEdge, ...EDGES.filter((e) => e < options.maxEdge!)]
		: EDGES;
	let bitmap: ImageBitmap;
	try {
		bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
	} catch {
		throw new FileRefused(ErrorCode.fileTypeMismatch, 'This file is not an image we can read.');
	}
	try {
		let best: { blob: Blob; width: number; height: number; quality: number } | undefined;
		for (const edge of edges) {
			const scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
			const width = Math.max(1, Math.round(bitmap.width * scale));
			const height = Math.max(1, Math.round(bitmap.height * scale));
			const canvas = canvasOf(width, height);
			const context = canvas.getContext('2d') as
				OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
			if (!context) throw new Error('no 2D canvas');
			context.imageSmoothingQuality = 'high';
			// JPEG has no transparency: a transparent PNG's background becomes white, not black.
			context.fillStyle = '#fff';
			context.fillRect(0, 0, width, height);
			context.drawImage(bitmap, 0, 0, width, height);
			for (const quality of QUALITIES) {
				const blob = await encode(canvas, type, quality);
				// A browser that cannot write `type` silently writes PNG instead.
				if (blob.type !== type) throw new Error(`this browser cannot encode ${type}`);
				best = { blob, width, height, quality };
				if (blob.size <= targetBytes) break;
			}
			if (best && best.blob.size <= targetBytes) break;
			// Already no larger than this edge: a smaller edge is the only way down.
		}
		if (!best || best.blob.size > MAX_FILE_BYTES) {
			throw new FileRefused(ErrorCode.fileTooLarge, 'This photo cannot be made small enough.');
		}
		return {
			blob: best.blob,
			type,
			size: best.blob.size,
			sha256: await sha256Hex(best.blob),
			image: { width: best.width, height: best.height, quality: best.quality }
		};
	} finally {
		bitmap.close();
	}
}

/**
 * A picked or captured file made ready to attach: photos through `prepareImage`, PDFs as
 * they are once their type and size are checked (the server checks both again).
 */
export async function prepareFile(file: Blob): Promise<PreparedFile> {
	if (file.type.startsWith('image/')) return prepareImage(file);
	if (file.type !== 'application/pdf' || !isFileType(file.type)) {
		throw new FileRefused(ErrorCode.fileTypeNotAllowed, 'Attach a photo or a PDF.');
	}
	if (file.size > MAX_FILE_BYTES) {
		throw new FileRefused(ErrorCode.fileTooLarge, 'This document is too large.');
	}
	const head = new Uint8Array(await file.slice(0, MAGIC_BYTES).arrayBuffer());
	if (!hasMagic(file.type, head)) {
		throw new FileRefused(ErrorCode.fileTypeMismatch, 'This file is not a PDF.');
	}
	return { blob: file, type: file.type, size: file.size, sha256: await sha256Hex(file) };
}

/**
 * True when a JPEG carries an APP1 segment (EXIF or XMP: where GPS positions live).
 * Walks the segments up to the image data.
 */
export function jpegHasApp1(bytes: Uint8Array): boolean {
	if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return false;
	let i = 2;
	while (i + 4 <= bytes.length && bytes[i] === 0xff) {
		const marker = bytes[i + 1]!;
		if (marker === 0xe1) return true;
		// Start of scan: the entropy-coded image follows, no more metadata segments.
		if (marker === 0xda) return false;
		i += 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!);
	}
	return false;
}
