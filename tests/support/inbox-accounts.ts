import type { AccountsOptions } from '../../sync-server/accounts/adapters';
import { smsText, type SmsSender } from '../../sync-server/accounts/sms-sender';

/** SMS as the phones would receive them, for a server in the test's own process. */
export interface Inbox {
	/** The sender to give the server. */
	sender: SmsSender;
	/** The sender, and a register that ties every phone to every IIN. */
	accounts: AccountsOptions;
	/** The newest code sent, to any phone; '' when none was. */
	last(): string;
	/** The newest code sent to `phone`; '' when none was. */
	codeFor(phone: string): string;
	/** How many codes were sent. */
	count(): number;
	/** Every other SMS sent to `phone` (decisions), as its text, oldest first. */
	messagesFor(phone: string): string[];
}

export function inboxAccounts(): Inbox {
	const sent: { phone: string; code: string }[] = [];
	const messages: { phone: string; text: string }[] = [];
	const sender: SmsSender = {
		description: 'test inbox',
		send: async (phone, sms) =>
			void (sms.kind === 'sign_in_code'
				? sent.push({ phone, code: sms.code })
				: messages.push({ phone, text: smsText(sms) }))
	};
	return {
		sender,
		accounts: { sender, register: { description: 'all', isRegistered: async () => true } },
		last: () => sent.at(-1)?.code ?? '',
		codeFor: (phone) => sent.findLast((s) => s.phone === phone)?.code ?? '',
		count: () => sent.length,
		messagesFor: (phone) => messages.filter((m) => m.phone === phone).map((m) => m.text)
	};
}
