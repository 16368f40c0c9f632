/**
 * The administrator's work on staff accounts through the API the administrator's page
 * uses: make one (the command's rules; a taken login said plainly), list them, disable one
 * (it signs in no more and its sessions end at once). Nobody else may do any of it.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { NewStaffResponse, StaffList } from '../../shared/accounts';
import { openSession } from '../../sync-server/accounts/sessions';
import { createStaff } from '../../sync-server/accounts/staff';
import { totpCode, totpStep } from '../../sync-server/accounts/totp';
import { backends } from './backends';
import {
	anonymousDevice,
	newDevice,
	newReviewer,
	signedCall,
	useSuite,
	type Device
} from './helpers';

describe.each(backends)('staff accounts by an administrator on $name', (backend) => {
	const suite = useSuite(backend);

	async function administrator(): Promise<Device & { accountId: string }> {
		const device = await anonymousDevice(suite.app);
		const { accountId } = await createStaff(suite.db, {
			role: 'administrator',
			region: 'national',
			name: 'Test administrator'
		});
		const { accessToken } = await suite.db.transaction((tx) =>
			openSession(tx, accountId, device.id)
		);
		return { ...device, accessToken, accountId };
	}

	it('makes a reviewer whose link sets a password, lists it, refuses a taken login, disables it', async () => {
		const admin = await administrator();
		const login = `reviewer.${Date.now()}`;
		const made = await signedCall(suite.app, admin, '/api/accounts/staff', {
			role: 'reviewer',
			region: 'almaty',
			name: '  Aigerim Seitkali ',
			login
		});
		expect(made.status, made.text).toBe(201);
		const { token, accountId } = v.parse(NewStaffResponse, made.json);

		const listed = () =>
			signedCall(suite.app, admin, '/api/accounts/staff').then((res) =>
				v.parse(StaffList, res.json).staff.find((s) => s.id === accountId)!
			);
		expect(await listed()).toMatchObject({
			name: 'Aigerim Seitkali',
			login,
			role: 'reviewer',
			region: 'almaty',
			passwordSet: false,
			disabled: false
		});

		const device = await anonymousDevice(suite.app);
		const enrolled = await signedCall(suite.app, device, '/api/accounts/staff/enroll', { token });
		const set = await signedCall(suite.app, device, '/api/accounts/staff/set-password', {
			token,
			password: 'a password long enough',
			totp: totpCode(enrolled.json.totpSecret, totpStep(Date.now()))
		});
		expect(set.status, set.text).toBe(200);
		expect((await listed()).passwordSet).toBe(true);

		// Disabled: the right password and code are refused as any wrong one is.
		const off = await signedCall(suite.app, admin, `/api/accounts/staff/${accountId}/disable`, {});
		expect(off.status).toBe(200);
		expect((await listed()).disabled).toBe(true);
		const signIn = await signedCall(suite.app, device, '/api/accounts/staff/sign-in', {
			login,
			password: 'a password long enough',
			totp: totpCode(enrolled.json.totpSecret, totpStep(Date.now()) + 1)
		});
		expect(signIn.status).toBe(401);
		expect(signIn.json.error.code).toBe('sign_in_failed');

		const again = await signedCall(suite.app, admin, '/api/accounts/staff', {
			role: 'officer',
			region: 'astana',
			name: 'Someone else',
			login
		});
		expect(again.status).toBe(409);
		expect(again.json.error).toMatchObject({ code: 'login_taken' });
		const nowhere = await signedCall(suite.app, admin, '/api/accounts/staff', {
			role: 'reviewer',
			region: 'atlantis',
			name: 'X'
		});
		expect(nowhere.status).toBe(400);
	});

	it('disables an account: no more sign-in, its sessions end now; never one’s own', async () => {
		const admin = await administrator();
		const reviewer = await newReviewer(suite.app, suite.db);
		const me = await signedCall(suite.app, reviewer, '/api/accounts/me');
		expect(me.status).toBe(200);

		const disabled = await signedCall(
			suite.app,
			admin,
			`/api/accounts/staff/${me.json.id}/disable`,
			{}
		);
		expect(disabled.status, disabled.text).toBe(200);
		const after = await signedCall(suite.app, reviewer, '/api/accounts/me');
		expect(after.status).toBe(401);
		expect(after.json.error.code).toBe('device_revoked');

		const self = await signedCall(
			suite.app,
			admin,
			`/api/accounts/staff/${admin.accountId}/disable`,
			{}
		);
		expect(self.json.error.code).toBe('cannot_disable_self');
		const citizen = await newDevice(suite.app);
		const citizenId = (await signedCall(suite.app, citizen, '/api/accounts/me')).json.id;
		const notStaff = await signedCall(
			suite.app,
			admin,
			`/api/accounts/staff/${citizenId}/disable`,
			{}
		);
		expect(notStaff.status).toBe(404);
	});

	it('lets nobody but an administrator list, make or disable staff', async () => {
		const reviewer = await newReviewer(suite.app, suite.db);
		const citizen = await newDevice(suite.app);
		for (const device of [reviewer, citizen]) {
			expect((await signedCall(suite.app, device, '/api/accounts/staff')).status).toBe(403);
			const made = await signedCall(suite.app, device, '/api/accounts/staff', {
				role: 'administrator',
				region: 'national',
				name: 'Me, promoted'
			});
			expect(made.status).toBe(403);
		}
	});

	it('refuses a login or a name that cannot be stored or shown as bad input, never a 5xx', async () => {
		const device = await anonymousDevice(suite.app);
		for (const login of ['a\u0000b', 'a\ud800b']) {
			const res = await signedCall(suite.app, device, '/api/accounts/staff/sign-in', {
				login,
				password: 'whatever it is',
				totp: '123456'
			});
			expect(res.status, res.text).toBe(400);
			expect(res.json.error.code).toBe('invalid_body');
		}
		const admin = await administrator();
		for (const name of ['Ai\u0000gerim', 'Ai\u202Egerim']) {
			const made = await signedCall(suite.app, admin, '/api/accounts/staff', {
				role: 'reviewer',
				region: 'almaty',
				name
			});
			expect(made.status, made.text).toBe(400);
		}
	});
});
