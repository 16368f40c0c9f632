/**
 * Accepts that overlap: crossed (each device takes the other's code), chained (A joins B
 * while B joins C) and a ring of three. Every one must end with the devices under one
 * owner and every application with its own device.
 *
 * On PostgreSQL they overlap for certain: a test transaction holds every device row, which
 * an accept locks only after it has read whose devices these are, and lets go once every
 * accept is seen waiting in PostgreSQL. Without serializing, each would then move devices
 * on what it read before the others committed. PGlite has one connection, so there the
 * same scenarios run one after another and must end the same.
 */
import { eq, inArray, ne } from 'drizzle-orm';
import postgres from 'postgres';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { LinkOfferResponse } from '../../shared/protocol';
import { applications, devices } from '../../sync-server/db/schema';
import { acceptLink } from '../../sync-server/devices/link';
import { sessionsWaitingOrSettled } from '../support/session-waits';
import { backends } from './backends';
import {
	answer,
	newDevice,
	pullAll,
	push,
	signedRequest,
	submit,
	useSuite,
	type Answer,
	type App,
	type Device
} from './helpers';

async function send(app: App, device: Device, path: string, body: unknown) {
	return answer(app.request(path, await signedRequest(device, 'POST', path, body)));
}

describe.each(backends)('linking at the same time on $name', (backend) => {
	const suite = useSuite(backend);

	async function codeOf(device: Device): Promise<string> {
		const res = await send(suite.app, device, '/api/sync/link/offer', {});
		expect(res.status).toBe(200);
		return v.parse(LinkOfferResponse, res.json).code;
	}

	/** `n` registered devices, each with one application of its own. */
	async function devicesWithApplications(n: number): Promise<Device[]> {
		const made: Device[] = [];
		for (let i = 0; i < n; i++) {
			const device = await newDevice(suite.app);
			const res = await push(suite.app, device, { mutations: [submit({ seq: 1 })] });
			expect(res.status).toBe(200);
			made.push(device);
		}
		return made;
	}

	/**
	 * Sends every accept (`[who, whose code]`) with the devices' rows held, so they overlap
	 * on PostgreSQL; on PGlite, one after another. Resolves with the answers in order.
	 */
	async function acceptTogether(pairs: [Device, Device][]): Promise<Answer[]> {
		const codes = await Promise.all(pairs.map(([, offering]) => codeOf(offering)));
		const accept = (i: number) =>
			send(suite.app, pairs[i]![0], '/api/sync/link/accept', { code: codes[i] });
		if (backend.kind === 'pglite') {
			const answers: Answer[] = [];
			for (let i = 0; i < pairs.length; i++) answers.push(await accept(i));
			return answers;
		}
		const ids = [...new Set(pairs.flat().map((d) => d.id))];
		const client = postgres(suite.url!, { max: 2, onnotice: () => {} });
		const holder = await client.reserve();
		let all: Promise<Answer[]>;
		try {
			await holder`begin`;
			await holder`select id from devices where id in ${holder(ids)} order by id for update`;
			const accepts = pairs.map((_, i) => accept(i));
			all = Promise.all(accepts);
			await sessionsWaitingOrSettled(client, pairs.length, accepts);
			await holder`commit`;
		} finally {
			holder.release();
			await client.end();
		}
		return all;
	}

	/** The owner of each device, and the applications not with their own device's owner. */
	async function whereThingsAre(group: Device[]) {
		const rows = await suite.db
			.select({ ownerId: devices.ownerId })
			.from(devices)
			.where(
				inArray(
					devices.id,
					group.map((d) => d.id)
				)
			);
		const strays = await suite.db
			.select({ id: applications.id })
			.from(applications)
			.innerJoin(devices, eq(devices.id, applications.deviceId))
			.where(ne(applications.ownerId, devices.ownerId));
		return { owners: new Set(rows.map((r) => r.ownerId)).size, strays: strays.length };
	}

	/** Every device of the group sees every application of the group. */
	async function expectEachSeesAll(group: Device[]) {
		for (const device of group) {
			const { changes } = await pullAll(suite.app, suite.db, device);
			expect(changes).toHaveLength(group.length);
		}
	}

	function linked(res: Answer): number {
		expect(res.status, res.text).toBe(200);
		return res.json.devices as number;
	}

	it('crossed: two devices each accepting the other’s code end up together', async () => {
		const [a, b] = (await devicesWithApplications(2)) as [Device, Device];
		const answers = await acceptTogether([
			[a, b],
			[b, a]
		]);
		expect(answers.map(linked)).toEqual([2, 2]);
		expect(await whereThingsAre([a, b])).toEqual({ owners: 1, strays: 0 });
		await expectEachSeesAll([a, b]);
	});

	it('chained: A joining B while B joins C puts all three together', async () => {
		const [a, b, c] = (await devicesWithApplications(3)) as [Device, Device, Device];
		const answers = await acceptTogether([
			[a, b],
			[b, c]
		]);
		// Whichever committed first saw two devices; the second saw all three.
		expect(answers.map(linked).sort()).toEqual([2, 3]);
		expect(await whereThingsAre([a, b, c])).toEqual({ owners: 1, strays: 0 });
		await expectEachSeesAll([a, b, c]);
	});

	it('ring: A takes B’s code, B takes C’s and C takes A’s, all at once', async () => {
		const [a, b, c] = (await devicesWithApplications(3)) as [Device, Device, Device];
		const answers = await acceptTogether([
			[a, b],
			[b, c],
			[c, a]
		]);
		const counts = answers.map(linked);
		expect(Math.max(...counts)).toBe(3);
		expect(await whereThingsAre([a, b, c])).toEqual({ owners: 1, strays: 0 });
		await expectEachSeesAll([a, b, c]);
	});

	/**
	 * The order that forces a second look: B → C takes its locks first, then A → B reads
	 * B's owner and waits for it; when B → C commits, B's owner is one A → B did not lock.
	 */
	async function secondLookNeeded(attempts?: number) {
		const [a, b, c] = (await devicesWithApplications(3)) as [Device, Device, Device];
		const [toC, toB] = [await codeOf(c), await codeOf(b)];
		const client = postgres(suite.url!, { max: 2, onnotice: () => {} });
		const holder = await client.reserve();
		let both: Promise<[Answer, Awaited<ReturnType<typeof acceptLink>>]>;
		try {
			await holder`begin`;
			await holder`select id from devices where id = ${b.id} for update`;
			const first = send(suite.app, b, '/api/sync/link/accept', { code: toC });
			await sessionsWaitingOrSettled(client, 1, [first]);
			const second = acceptLink(suite.db, a.id, toB, attempts);
			both = Promise.all([first, second]);
			await sessionsWaitingOrSettled(client, 2, [first, second]);
			await holder`commit`;
		} finally {
			holder.release();
			await client.end();
		}
		const [first, second] = await both;
		return { group: [a, b, c], first, second, code: toB };
	}

	it.skipIf(backend.kind === 'pglite')(
		'looks again when an owner moved while it waited, and links to where it went',
		async () => {
			const { group, first, second } = await secondLookNeeded();
			expect(linked(first)).toBe(2);
			expect(second).toEqual({ status: 'linked', devices: 3 });
			expect(await whereThingsAre(group)).toEqual({ owners: 1, strays: 0 });
		}
	);

	it.skipIf(backend.kind === 'pglite')(
		'answers busy, having changed nothing, when owners keep moving',
		async () => {
			const { group, first, second, code } = await secondLookNeeded(1);
			expect(linked(first)).toBe(2);
			expect(second).toEqual({ status: 'busy' });
			// B and C are together; A was not moved, and the code it sent is still unused.
			expect(await whereThingsAre(group)).toEqual({ owners: 2, strays: 0 });
			const again = await send(suite.app, group[0]!, '/api/sync/link/accept', { code });
			expect(linked(again)).toBe(3);
			expect(await whereThingsAre(group)).toEqual({ owners: 1, strays: 0 });
		}
	);
});
