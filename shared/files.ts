/**
 * Photos and documents attached to applications: what may be uploaded, how large, and
 * how a tus request is signed. The device and the server both check against these.
 */
import * as v from 'valibot';

/** The largest file the server stores. A document photo should be far smaller. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** What the device aims for when it re-encodes a document photo: ~6 s on a 2G link. */
export const TARGET_PHOTO_BYTES = 200 * 1024;

/**
 * The most one PATCH carries. A cut does not cost the chunk in flight: the server keeps
 * every byte that reached it (the file store appends as bytes arrive, the S3 store keeps
 * an incomplete part) and the device resumes from that offset. So the chunk only bounds
 * what a reverse proxy that buffers whole request bodies would lose (don't: nginx needs
 * `proxy_request_buffering off` for tus), and each chunk costs ~1.3 KB of headers both
 * ways. 256 KiB puts a document photo (≤ 200 KB) in one PATCH, keeping the whole upload
 * within 1.02× the file on the wire (bench:upload), and is ~8 s of a 256 kbps 2G uplink.
 */
export const UPLOAD_CHUNK_BYTES = 256 * 1024;

/** The types the server accepts, each with the first bytes every such file starts with. */
export const FILE_TYPES = {
	'image/jpeg': [[0xff, 0xd8, 0xff]],
	'image/png': [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
	// RIFF....WEBP: bytes 4–7 are the length, so they are not compared.
	'image/webp': [[0x52, 0x49, 0x46, 0x46, -1, -1, -1, -1, 0x57, 0x45, 0x42, 0x50]],
	'application/pdf': [[0x25, 0x50, 0x44, 0x46, 0x2d]]
} as const satisfies Record<string, readonly (readonly number[])[]>;
export type FileType = keyof typeof FILE_TYPES;

/** The most leading bytes any magic number needs. */
export const MAGIC_BYTES = 12;

export function isFileType(type: string): type is FileType {
	return Object.hasOwn(FILE_TYPES, type);
}

/** True when `head` (the file's first bytes) starts the way a file of `type` must. */
export function hasMagic(type: FileType, head: Uint8Array): boolean {
	return FILE_TYPES[type].some(
		(magic) =>
			head.length >= magic.length && magic.every((byte, i) => byte === -1 || head[i] === byte)
	);
}

/** A SHA-256 digest as 64 lowercase hex digits: the file's name everywhere. */
export const Sha256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));

/** What a device declares in tus `Upload-Metadata` when it creates an upload. */
export const UploadMetadata = v.strictObject({
	sha256: Sha256,
	type: v.picklist(Object.keys(FILE_TYPES) as FileType[])
});
export type UploadMetadata = v.InferOutput<typeof UploadMetadata>;

/** What `GET /api/files/:sha256` answers when the owner's file arrived and was verified. */
export const FileStatus = v.object({
	sha256: Sha256,
	size: v.number(),
	type: v.picklist(Object.keys(FILE_TYPES) as FileType[]),
	verified: v.literal(true)
});
export type FileStatus = v.InferOutput<typeof FileStatus>;

/** Where the tus endpoint lives. */
export const FILES_PATH = '/api/files';

/**
 * What stands for the body when a tus request is signed (shared/device-signature.ts signs
 * METHOD, path-and-query and the SHA-256 of this). Chunk bytes are not signed: hashing
 * every PATCH body before it is sent would cost a phone a second read of the file, and
 * the content is verified whole anyway: the server hashes what it stored and refuses a
 * file that is not the SHA-256 the device signed at creation. What is signed instead are
 * the tus headers that steer the upload: its length and metadata (POST: which file, so a
 * signature cannot create an upload of another hash or type) and the offset (PATCH: so a
 * signature cannot be replayed at another position). The path names the upload, and the
 * server lets only the device that created an upload touch it.
 */
export function tusSigningBody(headers: {
	/** The header's value; asked for in the case tus-js-client sets it ("Upload-Offset"). */
	get(name: string): string | null | undefined;
}): Uint8Array {
	const line = (name: string) => `${name}:${headers.get(name) ?? ''}`;
	return new TextEncoder().encode(
		['tus', line('Upload-Length'), line('Upload-Metadata'), line('Upload-Offset')].join('\n')
	);
}
