import { eq, sql } from 'drizzle-orm';
import { applicationHistory, applications, auditLog, documents } from '../../sync-server/db/schema';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { readCode } from '../../shared/documents/code';
import {
	isRevoked,
	readRevocationList,
	replaces,
	type RevocationList
} from '../../shared/documents/revocation';
import { documentNumber } from '../../shared/documents/templates';
import { TrustList } from '../../shared/documents/trust';
import { verifyCode } from '../../shared/documents/verify';
import { todayInKazakhstan } from '../../shared/dates';
import type { ApplicationState } from '../../shared/protocol';
import { openDatabase } from '../../sync-server/db/open';
import { DEVELOPMENT_DOCUMENT_SECRET } from '../../sync-server/documents/key-secret';
import { rotateDocumentKey } from '../../sync-server/documents/signing-keys';
import { GOOD_BIRTH, GOOD_IE_V2, GOOD_TAX, withCheckDigit } from '../support/service-answers';
import { decide } from '../support/decide';
import { backends } from './backends';
import {
	counts,
	get,
	inboxOf,
	newDevice,
	newPerson,
	newReviewer,
	pullAll,
	push,
	signedCall,
	storedApplication,
	submit,
	testApp,
	useSuite,
	type App,
	type Device
} from './helpers';

const registration = (answers: Record<string, string> = {}) =>
	submit({
		serviceId: 'individual-entrepreneur',
		serviceVersion: 2,
		answers: { ...GOOD_IE_V2, ...answers }
	});

/** A fresh applicant: registrations of one person are decided one at a time. */
let people = 0;
const someone = () => withCheckDigit(`85${String(100 + (people++ % 800)).padStart(3, '0')}3`);

async function trustList(app: App): Promise<TrustList> {
	const res = await get(app, '/api/documents/keys');
	expect(res.status).toBe(200);
	expect(res.headers.get('cache-control')).toBe('no-cache');
	return res.json as TrustList;
}

/** The state the device holds after a sync: its push's answer, then what the pull brings. */
async function synced(app: App, db: Parameters<typeof pullAll>[1], device: Device, id: string) {
	const { changes } = await pullAll(app, db, device);
	return (changes as ApplicationState[]).find((c) => c.id === id);
}

describe.each(backends)('issued documents on $name', (backend) => {
	const suite = useSuite(backend);

	it('registers a low-risk business in the receipt transaction: answered received, pulled approved with its document', async () => {
		const device = await newDevice(suite.app);
		const iin = someone();
		const m = registration({ iin });
		const pushed = await push(suite.app, device, { mutations: [m] });
		expect(pushed.status).toBe(200);
		// The answer to the submit is the receipt, as always: version 1, received.
		expect(pushed.json.results[0]).toMatchObject({
			status: 'applied',
			application: { status: 'received', version: 1 }
		});
		expect(pushed.json.results[0].application.document).toBeUndefined();

		const state = await synced(suite.app, suite.db, device, m.applicationId);
		expect(state).toMatchObject({ status: 'approved', version: 2 });
		const verdict = await verifyCode(
			state!.document!,
			await trustList(suite.app),
			todayInKazakhstan()
		);
		expect(verdict.kind).toBe('genuine');
		if (verdict.kind !== 'genuine') return;
		expect(verdict.claims).toMatchObject({
			serviceId: 'individual-entrepreneur',
			serviceVersion: 2,
			authority: 1,
			answers: { iin, fullName: GOOD_IE_V2.fullName, activity: 'retail' }
		});
		// Never the phone on a document.
		expect(verdict.claims.answers.phone).toBeUndefined();

		// Recorded: the document row, and the history says it was decided by no one.
		const [doc] = await suite.db
			.select()
			.from(documents)
			.where(eq(documents.applicationId, m.applicationId));
		expect(doc).toMatchObject({ checkIin: iin, serial: verdict.claims.serial });
		const history = await suite.db
			.select()
			.from(applicationHistory)
			.where(eq(applicationHistory.applicationId, m.applicationId))
			.orderBy(applicationHistory.id);
		expect(history.map((h) => [h.kind, h.toStatus, h.actor])).toEqual([
			['received', 'received', expect.any(String)],
			['decided', 'approved', null]
		]);

		// A resend is answered byte for byte as the first time, and writes nothing.
		const before = await counts(suite.db);
		const again = await push(suite.app, device, { mutations: [m] });
		expect(again.text).toBe(pushed.text);
		expect(await counts(suite.db)).toEqual(before);
	});

	it('the register confirms a document by its number and the IIN beside it, and only both', async () => {
		const device = await newDevice(suite.app);
		const iin = someone();
		const m = registration({ iin });
		await push(suite.app, device, { mutations: [m] });
		const [doc] = await suite.db
			.select()
			.from(documents)
			.where(eq(documents.applicationId, m.applicationId));
		const number = documentNumber(doc!.serial);
		const check = (query: string) => get(suite.app, `/api/documents/check?${query}`);

		const found = await check(`number=${number}&iin=${iin}`);
		expect(found.status).toBe(200);
		expect(found.headers.get('cache-control')).toBe('no-store');
		expect(found.json).toEqual({
			status: 'issued',
			serial: doc!.serial,
			serviceId: 'individual-entrepreneur',
			issuedAt: doc!.issuedAt.toISOString()
		});
		// Typed as people type it: lower case, spaces around.
		expect((await check(`number=%20${number.toLowerCase()}%20&iin=${iin}`)).status).toBe(200);
		// Either half wrong: not found, never which half.
		const other = await check(`number=${number}&iin=${someone()}`);
		expect(other.status).toBe(404);
		expect(other.json.error.code).toBe('not_found');
		expect((await check(`number=DLD-9999999&iin=${iin}`)).status).toBe(404);
		for (const bad of [
			`number=${number}`,
			`iin=${iin}`,
			`number=42&iin=${iin}`,
			`number=${number}&iin=123`
		]) {
			const res = await check(bad);
			expect(res.status, bad).toBe(400);
			expect(res.json.error.code).toBe('invalid_query');
		}
	});

	it('passes to a person what the rule cannot decide: an activity needing inspection, a second registration', async () => {
		const device = await newDevice(suite.app);
		const iin = someone();
		const cafe = registration({ iin, activity: 'catering' });
		const first = registration({ iin: someone() });
		const second = registration({ iin: first.answers.iin as string, tradeName: 'Екінші' });
		const res = await push(suite.app, device, {
			mutations: [cafe, { ...first, seq: 2 }, { ...second, seq: 3 }]
		});
		expect(res.status).toBe(200);
		// The reviewer is told why the rule left it to them; never the applicant (no pull has it).
		for (const [m, status, reviewReason] of [
			[cafe, 'received', 'not_low_risk'],
			[first, 'approved', null],
			[second, 'received', 'open_registration']
		] as const) {
			expect(await storedApplication(suite.db, m.applicationId)).toMatchObject({
				status,
				reviewReason
			});
		}
		const reviewer = await newReviewer(
			suite.app,
			suite.db,
			(await storedApplication(suite.db, cafe.applicationId))?.region ?? undefined
		);
		const view = await signedCall(
			suite.app,
			reviewer,
			`/api/office/applications/${cafe.applicationId}`
		);
		expect(view.json).toMatchObject({ reviewReason: 'not_low_risk', document: null });
		const pulled = await synced(suite.app, suite.db, device, cafe.applicationId);
		expect(pulled?.document).toBeUndefined();
		expect(JSON.stringify(pulled)).not.toContain('not_low_risk');

		// One push later, the same: a registration open (being decided or in force) holds.
		const later = registration({ iin });
		await push(suite.app, device, { mutations: [{ ...later, seq: 4 }] });
		expect((await storedApplication(suite.db, later.applicationId))?.status).toBe('received');
	});

	it('a refused registration leaves the way open for the next', async () => {
		const device = await newDevice(suite.app);
		const iin = someone();
		const cafe = registration({ iin, activity: 'catering' });
		await push(suite.app, device, { mutations: [cafe] });
		await decide(suite.db, cafe.applicationId, {
			status: 'rejected',
			reason: 'Not low risk',
			baseVersion: 1
		});
		const shop = registration({ iin });
		await push(suite.app, device, { mutations: [{ ...shop, seq: 2 }] });
		expect((await storedApplication(suite.db, shop.applicationId))?.status).toBe('approved');
	});

	it('accepts a declaration whose tax is the rate table’s, with its notice', async () => {
		const device = await newDevice(suite.app);
		const m = submit({
			serviceId: 'simplified-tax-declaration',
			serviceVersion: 1,
			answers: GOOD_TAX
		});
		expect((await push(suite.app, device, { mutations: [m] })).status).toBe(200);
		const state = await synced(suite.app, suite.db, device, m.applicationId);
		expect(state).toMatchObject({ status: 'approved', version: 2 });
		const verdict = await verifyCode(
			state!.document!,
			await trustList(suite.app),
			todayInKazakhstan()
		);
		expect(verdict).toMatchObject({
			kind: 'genuine',
			claims: { answers: { income: '5000000', taxDue: '200000', half: '1' } }
		});
	});

	it('a reviewer’s approval issues the document the same way; a birth certificate is the child’s', async () => {
		const device = await newDevice(suite.app);
		const birth = submit({
			serviceId: 'birth-registration',
			serviceVersion: 1,
			answers: GOOD_BIRTH
		});
		await push(suite.app, device, { mutations: [birth] });
		expect((await storedApplication(suite.db, birth.applicationId))?.status).toBe('received');
		const outcome = await decide(suite.db, birth.applicationId, {
			status: 'approved',
			baseVersion: 1
		});
		expect(outcome.status).toBe('applied');
		const state = await synced(suite.app, suite.db, device, birth.applicationId);
		const verdict = await verifyCode(
			state!.document!,
			await trustList(suite.app),
			todayInKazakhstan()
		);
		expect(verdict.kind).toBe('genuine');
		if (verdict.kind !== 'genuine') return;
		expect(verdict.claims.answers).toMatchObject({
			childGivenName: 'Айару',
			motherIin: GOOD_BIRTH.motherIin,
			fatherBasis: 'marriage'
		});
		// The registry's working papers stay in the file.
		expect(verdict.claims.answers.medicalRecordNumber).toBeUndefined();
		expect(verdict.claims.answers.informant).toBeUndefined();
		// A rejection issues nothing.
		const other = submit({
			serviceId: 'birth-registration',
			serviceVersion: 1,
			answers: GOOD_BIRTH
		});
		await push(suite.app, device, { mutations: [{ ...other, seq: 2 }] });
		await decide(suite.db, other.applicationId, {
			status: 'rejected',
			reason: 'x',
			baseVersion: 1
		});
		expect((await storedApplication(suite.db, other.applicationId))?.document).toBeNull();
	});

	it('a fault between receipt and issuance leaves neither: nothing stored, the resend does both', async () => {
		const device = await newDevice(suite.app);
		const m = registration({ iin: someone() });
		await suite.db.execute(sql`create or replace function fail_document() returns trigger
			language plpgsql as $$ begin raise exception 'the disk is full'; end $$`);
		await suite.db.execute(
			sql`create trigger fail_document before insert on documents for each row execute function fail_document()`
		);
		try {
			const failed = await push(suite.app, device, { mutations: [m] });
			expect(failed.status).toBe(500);
			expect(await storedApplication(suite.db, m.applicationId)).toBeUndefined();
		} finally {
			await suite.db.execute(sql`drop trigger fail_document on documents`);
		}
		const retried = await push(suite.app, device, { mutations: [m] });
		expect(retried.json.results[0].status).toBe('applied');
		const stored = await storedApplication(suite.db, m.applicationId);
		expect(stored).toMatchObject({ status: 'approved', version: 2 });
		expect(stored?.document).toMatch(/^DL1:/);
	});

	it('after a rotation new documents use the new key and the old ones stay genuine', async () => {
		const device = await newDevice(suite.app);
		const before = registration({ iin: someone() });
		await push(suite.app, device, { mutations: [before] });
		const oldCode = (await storedApplication(suite.db, before.applicationId))!.document!;

		const newKey = await rotateDocumentKey(suite.db, DEVELOPMENT_DOCUMENT_SECRET);
		// A fresh app: the old one keeps its key for up to a minute (signing-keys.ts).
		const app = testApp(suite.db);
		const device2 = await newDevice(app);
		const after = registration({ iin: someone() });
		await push(app, device2, { mutations: [after] });
		const newCode = (await storedApplication(suite.db, after.applicationId))!.document!;
		// The old app still signs with the key it read, for up to a minute: genuine too.
		const late = registration({ iin: someone() });
		await push(suite.app, device, { mutations: [{ ...late, seq: 2 }] });
		const lateCode = (await storedApplication(suite.db, late.applicationId))!.document!;

		const trust = await trustList(app);
		const retired = trust.keys.filter((k) => k.retiredAt);
		expect(retired.length).toBeGreaterThan(0);
		const code = await readCode(newCode);
		expect(typeof code).not.toBe('string');
		expect(Buffer.from((code as { keyId: Uint8Array }).keyId).toString('base64url')).toBe(newKey);
		const today = todayInKazakhstan();
		expect((await verifyCode(oldCode, trust, today)).kind).toBe('genuine');
		expect((await verifyCode(newCode, trust, today)).kind).toBe('genuine');
		expect((await verifyCode(lateCode, trust, today)).kind).toBe('genuine');
		// A device with only the old list has not heard of the new key.
		const oldOnly = { keys: trust.keys.filter((k) => k.id !== newKey) };
		expect((await verifyCode(newCode, oldOnly, today)).kind).toBe('unknown_key');
	});
});

/** The revocation list `app` hands out now, read with its own trust list. */
async function revocationList(app: App): Promise<RevocationList> {
	const res = await get(app, '/api/documents/revoked');
	expect(res.status).toBe(200);
	expect(res.headers.get('cache-control')).toBe('no-cache');
	const list = await readRevocationList(res.json.list, await trustList(app));
	if (typeof list === 'string') throw new Error(`the server's own list reads as ${list}`);
	return list;
}

describe.each(backends)('revoking documents on $name', (backend) => {
	const suite = useSuite(backend);

	/** A registered business, synced to its owner's device: the state they hold. */
	async function registered(device: Device) {
		const m = registration({ iin: someone() });
		await push(suite.app, device, { mutations: [m] });
		return (await synced(suite.app, suite.db, device, m.applicationId))!;
	}

	async function reviewerOf(id: string): Promise<Device> {
		const [row] = await suite.db
			.select({ region: applications.region })
			.from(applications)
			.where(eq(applications.id, id));
		return newReviewer(suite.app, suite.db, row!.region ?? undefined);
	}

	const revoke = (reviewer: Device, id: string, body: unknown) =>
		signedCall(suite.app, reviewer, `/api/office/applications/${id}/revocation`, body);

	it('a revoked document is on the next list, the register says so, and its owner’s phone hears of it with its next sync', async () => {
		const owner = newPerson();
		const device = await newDevice(suite.app, owner);
		const state = await registered(device);
		const verdict = await verifyCode(
			state.document!,
			await trustList(suite.app),
			todayInKazakhstan()
		);
		if (verdict.kind !== 'genuine') throw new Error(`not genuine: ${verdict.kind}`);
		const serial = verdict.claims.serial;
		const before = await revocationList(suite.app);
		expect(isRevoked(before, serial)).toBe(false);

		const reviewer = await reviewerOf(state.id);
		const reason = 'Issued on a forged identity card';
		const res = await revoke(reviewer, state.id, { reason, baseVersion: state.version });
		expect(res.status).toBe(200);
		expect(res.json.application).toMatchObject({
			status: 'approved',
			version: state.version + 1,
			documentRevoked: { reason }
		});

		// The owner's next sync brings it: still approved, the document kept, revoked.
		const pulled = await synced(suite.app, suite.db, device, state.id);
		expect(pulled).toMatchObject({
			status: 'approved',
			version: state.version + 1,
			document: state.document,
			documentRevoked: { at: expect.any(String), reason }
		});

		// The next list revokes it, and is numbered above the last: a device holding it
		// refuses the older list from then on.
		const after = await revocationList(suite.app);
		expect(isRevoked(after, serial)).toBe(true);
		expect(after.number).toBe(before.number + 1);
		expect(replaces(after, before)).toBe(true);
		expect(replaces(before, after)).toBe(false);

		// The register says so, by the number and IIN on the paper.
		const check = await get(
			suite.app,
			`/api/documents/check?number=${documentNumber(serial)}&iin=${state.answers.iin}`
		);
		expect(check.json).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });

		// Recorded for the office and the audit, with who did it.
		const history = await suite.db
			.select()
			.from(applicationHistory)
			.where(eq(applicationHistory.applicationId, state.id))
			.orderBy(applicationHistory.id);
		expect(history.at(-1)).toMatchObject({
			kind: 'revoked',
			fromStatus: 'approved',
			toStatus: 'approved',
			actor: expect.any(String)
		});
		const audits = await suite.db
			.select({ action: auditLog.action })
			.from(auditLog)
			.where(eq(auditLog.subject, state.id));
		expect(audits.map((a) => a.action)).toContain('document.revoked');

		// The holder is told by SMS too, as of a decision.
		await expect
			.poll(() => inboxOf(suite.app).messagesFor(owner.phone))
			.toContain(`Dala ${state.reference}: құжат күшін жойды / документ аннулирован`);

		// Never twice, and never undone.
		const again = await revoke(reviewer, state.id, { reason, baseVersion: state.version + 1 });
		expect(again.status).toBe(409);
		expect(again.json.error.code).toBe('already_revoked');
	});

	it('an unchanged trust list or revocation list costs a phone a 304, no body', async () => {
		for (const path of ['/api/documents/keys', '/api/documents/revoked']) {
			const first = await get(suite.app, path);
			const tag = first.headers.get('etag');
			expect(tag).toMatch(/^W\/"/);
			const again = await get(suite.app, path, { 'If-None-Match': tag! });
			expect(again.status).toBe(304);
			expect(again.text).toBe('');
			expect(again.headers.get('cache-control')).toBe('no-cache');
		}
	});

	it('refuses what it cannot revoke, and writes nothing', async () => {
		const device = await newDevice(suite.app);
		const state = await registered(device);
		const reviewer = await reviewerOf(state.id);
		// One a reviewer has not decided yet: no document.
		const cafe = registration({ iin: someone(), activity: 'catering' });
		await push(suite.app, device, { mutations: [{ ...cafe, seq: 2 }] });
		const before = await counts(suite.db);
		// Decided on a page that no longer shows it.
		const stale = await revoke(reviewer, state.id, { reason: 'x', baseVersion: 1 });
		expect(stale.status).toBe(409);
		expect(stale.json).toMatchObject({ status: 'conflict', application: { version: 2 } });
		// No reason the holder can read; a field it does not take.
		for (const body of [
			{ reason: '  ', baseVersion: state.version },
			{ baseVersion: state.version },
			{ reason: 'x', baseVersion: state.version, undo: true }
		]) {
			const bad = await revoke(reviewer, state.id, body);
			expect(bad.status).toBe(400);
			expect(bad.json.error.code).toBe('invalid_body');
		}
		const none = await revoke(reviewer, cafe.applicationId, { reason: 'x', baseVersion: 1 });
		expect(none.status).toBe(409);
		expect(none.json.error.code).toBe('no_document');
		// Another region's reviewer finds nothing to revoke.
		const national = await newReviewer(suite.app, suite.db);
		const elsewhere = await revoke(national, state.id, { reason: 'x', baseVersion: state.version });
		expect(elsewhere.status).toBe(404);
		expect((await storedApplication(suite.db, state.id))?.documentRevokedAt).toBeNull();
		expect(await counts(suite.db)).toEqual(before);
	});
});

describe('issued documents across two servers (PostgreSQL)', () => {
	const postgres = backends.find((b) => b.kind === 'postgres');
	it.skipIf(!postgres)(
		'registrations of one person sent to two servers at once: exactly one is registered',
		async () => {
			const opened = await postgres!.open();
			try {
				const second = await openDatabase({ url: opened.url, poolSize: 10 });
				try {
					const servers = [testApp(opened.db), testApp(second.db)];
					const iin = someone();
					// One at a time: each sign-in reads the last code its server sent.
					const devices: Device[] = [];
					for (let i = 0; i < 6; i++) devices.push(await newDevice(servers[i % 2]!, newPerson()));
					const sent = devices.map(() => registration({ iin, tradeName: uuidv7().slice(-8) }));
					const answers = await Promise.all(
						devices.map((device, i) => push(servers[i % 2]!, device, { mutations: [sent[i]!] }))
					);
					expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
					const statuses = await Promise.all(
						sent.map(async (m) => (await storedApplication(opened.db, m.applicationId))?.status)
					);
					expect(statuses.filter((s) => s === 'approved')).toHaveLength(1);
					expect(statuses.filter((s) => s === 'received')).toHaveLength(5);
				} finally {
					await second.close();
				}
			} finally {
				await opened.close();
			}
		}
	);

	it.skipIf(!postgres)(
		'a revocation made through one server is on the other’s very next list',
		async () => {
			const opened = await postgres!.open();
			try {
				const second = await openDatabase({ url: opened.url, poolSize: 4 });
				try {
					const [a, b] = [testApp(opened.db), testApp(second.db)];
					const device = await newDevice(a);
					const m = registration({ iin: someone() });
					await push(a, device, { mutations: [m] });
					const state = (await synced(a, opened.db, device, m.applicationId))!;
					// The second server has signed a list already, which it would hand out again.
					const before = await revocationList(b);
					const [row] = await opened.db
						.select({ region: applications.region })
						.from(applications)
						.where(eq(applications.id, state.id));
					const reviewer = await newReviewer(a, opened.db, row!.region ?? undefined);
					const res = await signedCall(
						a,
						reviewer,
						`/api/office/applications/${state.id}/revocation`,
						{ reason: 'Issued in error', baseVersion: state.version }
					);
					expect(res.status).toBe(200);
					const after = await revocationList(b);
					expect(after.number).toBe(before.number + 1);
					const [doc] = await opened.db
						.select({ serial: documents.serial })
						.from(documents)
						.where(eq(documents.applicationId, state.id));
					expect(isRevoked(after, doc!.serial)).toBe(true);
				} finally {
					await second.close();
				}
			} finally {
				await opened.close();
			}
		}
	);
});
