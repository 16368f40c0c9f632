import type { Logger } from '../http/log';

/** Sends a sign-in code to a phone. Throws when the code could not be handed over. */
export interface CodeSender {
	/** What start-up logs about it. */
	description: string;
	/** True for the development sender: no code leaves the machine. */
	development?: boolean;
	send(phone: string, code: string): Promise<void>;
}

/** `+77012345678` as `+7 7•• ••• •• 78`: enough for a person to recognise, not to dial. */
export function maskPhone(phone: string): string {
	const match = /^\+7(\d)\d{7}(\d{2})$/.exec(phone);
	return match ? `+7 ${match[1]}•• ••• •• ${match[2]}` : '•••';
}

/**
 * For development and tests: the code goes to the server log, with the phone masked,
 * and nothing leaves the machine. It says what it is at start and on every line, so it
 * cannot pass for a real gateway in production unnoticed.
 */
export function developmentSender(log: Logger): CodeSender {
	log.warn('sign-in codes go to this log (development sender): set SMS_GATEWAY_URL to send them');
	return {
		description: 'development (codes in the log)',
		development: true,
		async send(phone, code) {
			// At warn, so it shows at the level test servers log at: a developer needs it.
			log.warn('development sender: sign-in code', { phone: maskPhone(phone), code });
		}
	};
}

// An SMS gateway that has not answered in this long will not; the person asks again.
const GATEWAY_TIMEOUT_MS = 10_000;

/**
 * An HTTP SMS gateway: `POST url` with `Authorization: Bearer token` and the JSON
 * `{ "to": "+77012345678", "text": "…" }`; any 2xx means accepted. Most gateways take
 * this shape or sit behind a small adapter that does.
 */
export function httpSmsSender({ url, token }: { url: string; token: string }): CodeSender {
	return {
		description: `SMS gateway ${new URL(url).origin}`,
		async send(phone, code) {
			const res = await fetch(url, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
				body: JSON.stringify({
					to: phone,
					text: `Dala: ${code} is your sign-in code. Tell it to nobody.`
				}),
				signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS)
			});
			// The body may echo the number or the code: it is not logged, only the status.
			await res.body?.cancel();
			if (!res.ok) throw new Error(`the SMS gateway answered ${res.status}`);
		}
	};
}

/** `SMS_GATEWAY_URL` and `SMS_GATEWAY_TOKEN` select the gateway; without them, the development sender. */
export function codeSenderFromEnv(env: NodeJS.ProcessEnv, log: Logger): CodeSender {
	const url = env.SMS_GATEWAY_URL;
	if (!url) return developmentSender(log);
	const token = env.SMS_GATEWAY_TOKEN;
	if (!token) throw new Error('SMS_GATEWAY_URL is set but SMS_GATEWAY_TOKEN is not');
	return httpSmsSender({ url, token });
}
