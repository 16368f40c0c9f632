import { eq, sql } from 'drizzle-orm';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	ErrorBody,
	LinkAcceptResponse,
	LinkOfferResponse,
	LINK_CODE_TTL_MS,
	PROTOCOL_VERSION
} from '../../shared/protocol';
import { devices, linkOffers } from '../../sync-server/db/schema';
import { backends } from './backends';
import {
	amend,
	answer,
	counts,
	newDevice,
	pull,
	pullAll,
	push,
	review,
	signedRequest,
	submit,
	useSuite,
	type App,
	type Device
} from './helpers';

async function send(app: App, device: Device, path: string, body: unknown) {
	return answer(app.request(path, await signedRequest(device, 'POST', path, body)));
}

const offer = (app: App, device: Device) => send(app, device, '/api/sync/link/offer', {});
const accept = (app: App, device: Device, code: unknown) =>
	send(app, device, '/api/sync/link/accept', { code });

describe.each(backends)('linking devices on $name', (backend) => {
	const suite = useSuite(backend);

	async function submitted(device: Device, n: number, firstSeq = 1) {
		const batch = Array.from({ length: n }, (_, i) => submit({ seq: firstSeq + i }));
		const res = await push(suite.app, device, { mutations: batch });
		expect(res.status).toBe(200);
		return res.json.results.map((r: { application: { id: string } }) => r.application);
	}

	async function codeOf(device: Device): Promise<string> {
		const res = await offer(suite.app, device);
		expect(res.status).toBe(200);
		return v.parse(LinkOfferResponse, res.json).code;
	}

	async function ownerOf(device: Device) {
		const [row] = await suite.db
			.select({ ownerId: devices.ownerId })
			.from(devices)
			.where(eq(devices.id, device.id));
		return row?.ownerId;
	}

	it('offers a ten-character code that expires in ten minutes, keeping only its hash', async () => {
		const before = Date.now();
		const res = await offer(suite.app, await newDevice(suite.app));
		expect(res.status).toBe(200);
		const { code, expiresAt } = v.parse(LinkOfferResponse, res.json);
		expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
		const ttl = Date.parse(expiresAt) - before;
		expect(ttl).toBeGreaterThan(LINK_CODE_TTL_MS - 60_000);
		expect(ttl).toBeLessThan(LINK_CODE_TTL_MS + 60_000);
		const stored = await suite.db.select().from(linkOffers);
		expect(JSON.stringify(stored)).not.toContain(code);
	});

	it("brings each device the other's applications, and either may correct them", async () => {
		const phone = await newDevice(suite.app);
		const tablet = await newDevice(suite.app);
		const [fromPhone] = await submitted(phone, 1);
		const [fromTablet] = await submitted(tablet, 1);
		const { cursor: phoneCursor } = await pullAll(suite.app, suite.db, phone);
		const { cursor: tabletCursor } = await pullAll(suite.app, suite.db, tablet);

		const code = await codeOf(phone);
		// As a person types it: lower case, the letter O for a zero, no dash.
		const typed = code.toLowerCase().replace('-', ' ').replaceAll('0', 'o');
		const res = await accept(suite.app, tablet, typed);
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ devices: 2 });
		expect(await ownerOf(tablet)).toBe(await ownerOf(phone));

		// The phone's cursor still works, and the tablet's application comes after it.
		const phoneSees = await pullAll(suite.app, suite.db, phone, phoneCursor);
		expect(phoneSees.changes.map((s: { id: string }) => s.id)).toEqual([fromTablet.id]);
		// The tablet's cursor walked the feed of an owner it left: it starts over.
		const stale = await pull(suite.app, tablet, { cursor: tabletCursor });
		expect(stale.status).toBe(400);
		expect(v.parse(ErrorBody, stale.json).error.code).toBe('invalid_cursor');
		const tabletSees = await pullAll(suite.app, suite.db, tablet);
		expect(tabletSees.changes.map((s: { id: string }) => s.id).sort()).toEqual(
			[fromPhone.id, fromTablet.id].sort()
		);

		// The tablet corrects what the phone sent; the phone pulls the correction.
		const fix = await push(suite.app, tablet, { mutations: [amend(fromPhone.id, 1, { seq: 2 })] });
		expect(fix.json.results[0]).toMatchObject({ status: 'applied', application: { version: 2 } });
		const { changes } = await pullAll(suite.app, suite.db, phone, phoneSees.cursor);
		expect(changes).toEqual([expect.objectContaining({ id: fromPhone.id, version: 2 })]);

		// A submit of the phone's application from the tablet is a duplicate, not a theft.
		const again = await push(suite.app, tablet, {
			mutations: [submit({ seq: 3, applicationId: fromPhone.id })]
		});
		expect(again.json.results[0]).toMatchObject({ status: 'duplicate' });
	});

	it('moves decisions made before the link along with their applications', async () => {
		const phone = await newDevice(suite.app);
		const tablet = await newDevice(suite.app);
		const [mine] = await submitted(tablet, 1);
		await review(suite.db, mine.id, 'approved');
		const { cursor } = await pullAll(suite.app, suite.db, phone);
		expect((await accept(suite.app, tablet, await codeOf(phone))).status).toBe(200);
		const { changes } = await pullAll(suite.app, suite.db, phone, cursor);
		expect(changes).toEqual([expect.objectContaining({ id: mine.id, status: 'approved' })]);
	});

	it('joins a third device, with everything its own linked devices had', async () => {
		const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => newDevice(suite.app)));
		await submitted(a!, 1);
		await submitted(c!, 2);
		expect((await accept(suite.app, b!, await codeOf(a!))).json).toEqual({ devices: 2 });
		expect((await accept(suite.app, d!, await codeOf(c!))).json).toEqual({ devices: 2 });
		// c (with d) joins a (with b): four devices, three applications, on each of them.
		expect((await accept(suite.app, c!, await codeOf(b!))).json).toEqual({ devices: 4 });
		for (const device of [a, b, c, d]) {
			expect((await pullAll(suite.app, suite.db, device!)).changes).toHaveLength(3);
		}
	});

	it('keeps a stranger out: no pull, no correction', async () => {
		const phone = await newDevice(suite.app);
		const stranger = await newDevice(suite.app);
		const [mine] = await submitted(phone, 1);
		expect((await pullAll(suite.app, suite.db, stranger)).changes).toEqual([]);
		const res = await push(suite.app, stranger, { mutations: [amend(mine.id, 1)] });
		expect(res.json.results[0]).toMatchObject({ status: 'rejected', code: 'not_found' });
	});

	it('takes a code once', async () => {
		const phone = await newDevice(suite.app);
		const code = await codeOf(phone);
		expect((await accept(suite.app, await newDevice(suite.app), code)).status).toBe(200);
		const late = await newDevice(suite.app);
		const res = await accept(suite.app, late, code);
		expect(res.status).toBe(400);
		expect(v.parse(ErrorBody, res.json).error.code).toBe('invalid_link_code');
		expect(await ownerOf(late)).not.toBe(await ownerOf(phone));
	});

	it('refuses an expired code and changes nothing', async () => {
		const phone = await newDevice(suite.app);
		const tablet = await newDevice(suite.app);
		await submitted(tablet, 1);
		const code = await codeOf(phone);
		await suite.db.update(linkOffers).set({ expiresAt: sql`now() - interval '1 second'` });
		const before = { counts: await counts(suite.db), owner: await ownerOf(tablet) };
		const res = await accept(suite.app, tablet, code);
		expect(res.status).toBe(400);
		expect(v.parse(ErrorBody, res.json).error.code).toBe('invalid_link_code');
		expect({ counts: await counts(suite.db), owner: await ownerOf(tablet) }).toEqual(before);
		expect((await pullAll(suite.app, suite.db, phone)).changes).toEqual([]);
	});

	it("accepting one's own code changes nothing", async () => {
		const phone = await newDevice(suite.app);
		const owner = await ownerOf(phone);
		const res = await accept(suite.app, phone, await codeOf(phone));
		expect(res.status).toBe(200);
		expect(v.parse(LinkAcceptResponse, res.json)).toEqual({ devices: 1 });
		expect(await ownerOf(phone)).toBe(owner);
	});

	it.each([
		['an unknown code', 'ABCDE-FGHJK', 'invalid_link_code'],
		['a code too short', 'ABCDE', 'invalid_body'],
		['a code with letters outside the alphabet', 'ABCDE-FGHJU', 'invalid_body'],
		['not a string', 12345, 'invalid_body']
	])('refuses %s with 400 %s', async (_name, code, error) => {
		const res = await accept(suite.app, await newDevice(suite.app), code);
		expect(res.status).toBe(400);
		expect(v.parse(ErrorBody, res.json).error.code).toBe(error);
	});

	it('refuses an unsigned offer and an offer with a body', async () => {
		const device = await newDevice(suite.app);
		const before = await suite.db.$count(linkOffers);
		const unsigned = await suite.app.request('/api/sync/link/offer', {
			method: 'POST',
			headers: { 'Dala-Protocol': String(PROTOCOL_VERSION), 'Dala-Device': device.id },
			body: '{}'
		});
		expect(unsigned.status).toBe(401);
		const padded = await send(suite.app, device, '/api/sync/link/offer', 'x'.repeat(2000));
		expect(padded.status).toBe(413);
		expect(await suite.db.$count(linkOffers)).toBe(before);
	});
});
