import * as v from 'valibot';
import {
	DeviceList,
	NewStaffResponse,
	StaffList,
	type NewStaffRequest
} from '../../../shared/accounts';
import { gzip } from '../sync/transport';
import { officeCalls } from './staff-accounts';

const json = (body: unknown) => gzip(JSON.stringify(body));

/** Every staff account (administrators). */
export async function staffAccounts(): Promise<StaffList['staff']> {
	const call = await officeCalls();
	return (await call(StaffList, 'GET', '/api/accounts/staff')).staff;
}

/** Makes a staff account; its one-time set-password token. Throws SyncError 409 `login_taken`. */
export async function makeStaff(request: NewStaffRequest): Promise<NewStaffResponse> {
	const call = await officeCalls();
	return call(NewStaffResponse, 'POST', '/api/accounts/staff', await json(request));
}

export async function disableStaff(id: string): Promise<void> {
	const call = await officeCalls();
	await call(v.object({}), 'POST', `/api/accounts/staff/${id}/disable`, await json({}));
}

/** The devices signed in to a staff account. */
export async function staffDevices(accountId: string): Promise<DeviceList['devices']> {
	const call = await officeCalls();
	const path = `/api/accounts/devices?account=${encodeURIComponent(accountId)}`;
	return (await call(DeviceList, 'GET', path)).devices;
}

export async function revokeStaffDevice(accountId: string, deviceId: string): Promise<void> {
	const call = await officeCalls();
	const path = `/api/accounts/devices/${deviceId}/revoke?account=${encodeURIComponent(accountId)}`;
	await call(v.object({}), 'POST', path, await json({}));
}
