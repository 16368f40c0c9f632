/**
 * The file rules both sides share, the EXIF detector the e2e test relies on, and the
 * device's files table. Re-encoding itself needs a canvas: tests/e2e/upload-resume.test.ts.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { hasMagic, isFileType, tusSigningBody, UploadMetadata } from '../../shared/files';
import * as v from 'valibot';
import { openDatabase } from '../../app/lib/db/database';
import { FileRefused, jpegHasApp1, prepareFile, sha256Hex } from '../../app/lib/files/prepare';
import { storeFile } from '../../app/lib/files/upload';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('file types', () => {
	it('recognizes each accepted type by its first bytes, and nothing else', () => {
		expect(hasMagic('image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0))).toBe(true);
		expect(hasMagic('image/png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe(true);
		const webp = new TextEncoder().encode('RIFF\x10\x20\x00\x00WEBPVP8 ');
		expect(hasMagic('image/webp', webp)).toBe(true);
		expect(hasMagic('application/pdf', new TextEncoder().encode('%PDF-1.4'))).toBe(true);

		expect(hasMagic('image/jpeg', new TextEncoder().encode('%PDF-1.4'))).toBe(false);
		expect(hasMagic('image/png', bytes(0x89, 0x50))).toBe(false);
		expect(hasMagic('image/webp', new TextEncoder().encode('RIFF\x10\x20\x00\x00WAVE'))).toBe(
			false
		);
		expect(isFileType('image/gif')).toBe(false);
		expect(isFileType('toString')).toBe(false);
	});

	it('accepts metadata naming a hash and a type, and nothing more', () => {
		const sha256 = 'a'.repeat(64);
		expect(v.is(UploadMetadata, { sha256, type: 'image/jpeg' })).toBe(true);
		expect(v.is(UploadMetadata, { sha256: 'A'.repeat(64), type: 'image/jpeg' })).toBe(false);
		expect(v.is(UploadMetadata, { sha256, type: 'image/gif' })).toBe(false);
		expect(v.is(UploadMetadata, { sha256, type: 'image/jpeg', device: 'x' })).toBe(false);
	});

	it('signs the tus headers in a fixed order, whatever the case they are read in', () => {
		const headers = new Headers({ 'upload-offset': '131072', 'UPLOAD-LENGTH': '9' });
		expect(new TextDecoder().decode(tusSigningBody(headers))).toBe(
			'tus\nUpload-Length:9\nUpload-Metadata:\nUpload-Offset:131072'
		);
	});
});

describe('EXIF detection', () => {
	// SOI, APP0 (JFIF, 16 bytes), then either APP1 (Exif) or straight to SOS.
	const app0 = [0xff, 0xe0, 0x00, 0x10, ...new Array<number>(14).fill(0)];
	const sos = [0xff, 0xda, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0xe1, 0xe1];

	it('finds an APP1 segment among the headers', () => {
		const exif = [0xff, 0xe1, 0x00, 0x08, 0x45, 0x78, 0x69, 0x66, 0, 0];
		expect(jpegHasApp1(bytes(0xff, 0xd8, ...app0, ...exif, ...sos))).toBe(true);
	});

	it('does not take image data after the start of scan for a segment', () => {
		expect(jpegHasApp1(bytes(0xff, 0xd8, ...app0, ...sos))).toBe(false);
	});
});

describe('files on the device', () => {
	it('hashes a Blob as the server does', async () => {
		const blob = new Blob([new TextEncoder().encode('abc')]);
		expect(await sha256Hex(blob)).toBe(
			'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
		);
	});

	it('keeps a PDF as it is, and refuses what is not a PDF or a photo', async () => {
		const pdf = new Blob(['%PDF-1.7\n...'], { type: 'application/pdf' });
		const prepared = await prepareFile(pdf);
		expect(prepared).toMatchObject({ type: 'application/pdf', size: pdf.size });

		const fake = new Blob(['<html>'], { type: 'application/pdf' });
		await expect(prepareFile(fake)).rejects.toMatchObject({ code: 'file_type_mismatch' });
		const zip = new Blob(['PK'], { type: 'application/zip' });
		await expect(prepareFile(zip)).rejects.toBeInstanceOf(FileRefused);
		const huge = new Blob([new Uint8Array(3 * 1024 * 1024)], { type: 'application/pdf' });
		await expect(prepareFile(huge)).rejects.toMatchObject({ code: 'file_too_large' });
	});

	it('adds the files table to a database made by the first version, keeping its data', async () => {
		const name = `dala-files-${Math.random()}`;
		const v1 = new Dexie(name);
		v1.version(1).stores({
			drafts: 'id, updatedAt',
			applications: 'id, submittedAt',
			outbox: '++seq, &id, applicationId',
			mirror: 'id',
			meta: 'key'
		});
		await v1.table('drafts').put({ id: 'd1', updatedAt: 1 });
		v1.close();

		const db = openDatabase(name);
		expect(await db.drafts.get('d1')).toMatchObject({ id: 'd1' });
		const blob = new Blob(['%PDF-1.7'], { type: 'application/pdf' });
		const id = await storeFile(db, 'd1', 'sitePlan', await prepareFile(blob));
		const stored = await db.files.get(id);
		expect(stored).toMatchObject({ draftId: 'd1', field: 'sitePlan', state: 'waiting', offset: 0 });
		expect(await db.files.where('draftId').equals('d1').count()).toBe(1);
		db.close();
	});
});
