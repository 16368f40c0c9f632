import * as v from 'valibot';
import {
	NewStaffRequest,
	StaffLogin,
	type NewStaffResponse,
	type StaffRole
} from '../../../../shared/accounts';
import { makeStaff } from '$lib/office/staff-admin-api';
import { m } from '$lib/paraglide/messages';
import { SyncError } from '$lib/sync/transport';

export type NewStaffField = 'name' | 'login' | 'form';

/** The administrator's form for a new member of staff: the command's rules, checked here first. */
export class NewStaff {
	name = $state('');
	role = $state<StaffRole>('reviewer');
	region = $state('national');
	login = $state('');
	busy = $state(false);
	made = $state.raw<(NewStaffResponse & { name: string }) | undefined>();
	problems = $state.raw<Partial<Record<NewStaffField, () => string>>>({});

	/** True once made; `made` then holds the one-time token. */
	async submit(): Promise<boolean> {
		if (this.busy) return false;
		const found: Partial<Record<NewStaffField, () => string>> = {};
		if (this.name.trim() === '') found.name = () => m.admin_error_name();
		const login = this.login.trim();
		if (login !== '' && !v.is(StaffLogin, login)) found.login = () => m.admin_error_login();
		const request = {
			role: this.role,
			region: this.region,
			name: this.name,
			...(login ? { login } : {})
		};
		if (Object.keys(found).length > 0 || !v.is(NewStaffRequest, request)) {
			this.problems = found;
			return false;
		}
		this.busy = true;
		try {
			this.made = { ...(await makeStaff(request)), name: this.name.trim() };
			this.problems = {};
			this.name = this.login = '';
			return true;
		} catch (error) {
			this.problems =
				error instanceof SyncError && error.code === 'login_taken'
					? { login: () => m.admin_error_login_taken() }
					: { form: () => m.office_failed() };
			return false;
		} finally {
			this.busy = false;
		}
	}
}
