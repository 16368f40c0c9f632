import { DashboardResponse } from '../../../shared/office';
import { officeCalls } from './staff-accounts';

/** The region's dashboard: decision times per service, and what waits longest (docs/office.md). */
export async function regionDashboard(): Promise<DashboardResponse> {
	const call = await officeCalls();
	return call(DashboardResponse, 'GET', '/api/office/dashboard');
}
