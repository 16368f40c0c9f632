/**
 * "Last seen" on the person's list of devices (issue 21): a sync call records it, at most
 * once an hour per device, so a pull costs no write; the list shows it, and null for a
 * device that never synced since it signed in.
 */
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { deviceSightings } from '../../sync-server/db/schema';
import { inboxAccounts } from '../support/inbox-accounts';
import { backends } from './backends';
import {
	anonymousDevice,
	signedCall,
	signInCitizen,
	testApp,
	useSuite,
	validIin,
	type App,
	type Device
} from './helpers';

describe.each(backends)('device sightings on $name', (backend) => {
	const suite = useSuite(backend);
	const inbox = inboxAccounts();
	const app = () =>
		testApp(suite.db, {
			accounts: inbox.accounts
		});

	const signIn = async (server: App, device: Device, iin: string) =>
		(await signInCitizen(server, device, inbox, iin, '+77040009900')).accessToken;

	const seenAt = async (device: Device) =>
		(
			await suite.db
				.select({ at: deviceSightings.seenAt })
				.from(deviceSightings)
				.where(eq(deviceSightings.deviceId, device.id))
		)[0]?.at;

	it('are written by the hour and listed with the devices', async () => {
		const server = app();
		const phone = await anonymousDevice(server);
		const tablet = await anonymousDevice(server);
		const iin = validIin(900);
		const token = await signIn(server, phone, iin);
		await signIn(server, tablet, iin);

		const pull = () => signedCall(server, phone, '/api/sync/pull', undefined, token);
		expect((await pull()).status).toBe(200);
		const first = await seenAt(phone);
		expect(first).toBeInstanceOf(Date);
		// Within the hour, by another app (another process) too: nothing written.
		expect((await signedCall(app(), phone, '/api/sync/pull', undefined, token)).status).toBe(200);
		expect(await seenAt(phone)).toEqual(first);

		const listed = await signedCall(server, phone, '/api/accounts/devices', undefined, token);
		expect(listed.json.devices).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ id: phone.id, current: true, lastSeenAt: first!.toISOString() }),
				expect.objectContaining({ id: tablet.id, current: false, lastSeenAt: null })
			])
		);

		// An hour on, the next call is a sighting again.
		await suite.db
			.update(deviceSightings)
			.set({ seenAt: sql`now() - interval '61 minutes'` })
			.where(eq(deviceSightings.deviceId, phone.id));
		expect((await signedCall(app(), phone, '/api/sync/pull', undefined, token)).status).toBe(200);
		expect((await seenAt(phone))!.getTime()).toBeGreaterThan(first!.getTime());
	});
});
