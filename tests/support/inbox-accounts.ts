import type { AccountsOptions } from '../../sync-server/accounts/adapters';
import type { CodeSender } from '../../sync-server/accounts/code-sender';

/** Sign-in codes as the phones would receive them, for a server in the test's own process. */
export interface Inbox {
	/** The sender to give the server. */
	sender: CodeSender;
	/** The sender, and a register that ties every phone to every IIN. */
	accounts: AccountsOptions;
	/** The newest code sent, to any phone; '' when none was. */
	last(): string;
	/** The newest code sent to `phone`; '' when none was. */
	codeFor(phone: string): string;
	/** How many codes were sent. */
	count(): number;
}

export function inboxAccounts(): Inbox {
	const sent: { phone: string; code: string }[] = [];
	const sender: CodeSender = {
		description: 'test inbox',
		send: async (phone, code) => void sent.push({ phone, code })
	};
	return {
		sender,
		accounts: { sender, register: { description: 'all', isRegistered: async () => true } },
		last: () => sent.at(-1)?.code ?? '',
		codeFor: (phone) => sent.findLast((s) => s.phone === phone)?.code ?? '',
		count: () => sent.length
	};
}
