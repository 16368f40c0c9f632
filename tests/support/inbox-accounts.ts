import type { AccountsOptions } from '../../sync-server/accounts/adapters';

/**
 * Accounts adapters for a server in the test's own process: sign-in codes land in `codes`
 * (the newest last) instead of on a phone, and every phone is registered to every IIN.
 */
export function inboxAccounts(): { codes: string[]; accounts: AccountsOptions } {
	const codes: string[] = [];
	return {
		codes,
		accounts: {
			sender: { description: 'inbox', send: async (_phone, code) => void codes.push(code) },
			register: { description: 'all', isRegistered: async () => true }
		}
	};
}
