import type { Logger } from '../http/log';

/**
 * What Dala tells a person by SMS: a sign-in code, that the office decided, or that it
 * revoked the document an approval issued (`document_revoked`).
 */
export type Sms =
	| { kind: 'sign_in_code'; code: string }
	| {
			kind: 'decision';
			reference: string;
			status: 'approved' | 'rejected' | 'more_information' | 'document_revoked';
	  };

// The person's language is on their phone, not here: Kazakh and Russian both, short enough
// for one SMS of Cyrillic (70 characters) where it can be.
const DECISION_WORDS: Record<Extract<Sms, { kind: 'decision' }>['status'], string> = {
	approved: 'мақұлданды / одобрено',
	rejected: 'қабылданбады / отказано',
	more_information: 'мәлімет керек / нужны сведения',
	document_revoked: 'құжат күшін жойды / документ аннулирован'
};

/** The words of an SMS, the one place they are written. */
export function smsText(sms: Sms): string {
	if (sms.kind === 'sign_in_code')
		return `Dala: ${sms.code} is your sign-in code. Tell it to nobody.`;
	return `Dala ${sms.reference}: ${DECISION_WORDS[sms.status]}`;
}

/** Sends an SMS to a phone. Throws when it could not be handed over. */
export interface SmsSender {
	/** What start-up logs about it. */
	description: string;
	/** True for the development sender: nothing leaves the machine. */
	development?: boolean;
	send(phone: string, sms: Sms): Promise<void>;
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
export function developmentSender(log: Logger): SmsSender {
	log.warn('SMS go to this log (development sender): set SMS_GATEWAY_URL to send them');
	return {
		description: 'development (codes in the log)',
		development: true,
		async send(phone, sms) {
			// At warn, so it shows at the level test servers log at: a developer needs it.
			if (sms.kind === 'sign_in_code') {
				log.warn('development sender: sign-in code', { phone: maskPhone(phone), code: sms.code });
			} else log.warn('development sender: SMS', { phone: maskPhone(phone), text: smsText(sms) });
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
export function httpSmsSender({ url, token }: { url: string; token: string }): SmsSender {
	return {
		description: `SMS gateway ${new URL(url).origin}`,
		async send(phone, sms) {
			const res = await fetch(url, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
				body: JSON.stringify({ to: phone, text: smsText(sms) }),
				signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS)
			});
			// The body may echo the number or the code: it is not logged, only the status.
			await res.body?.cancel();
			if (!res.ok) throw new Error(`the SMS gateway answered ${res.status}`);
		}
	};
}

/** `SMS_GATEWAY_URL` and `SMS_GATEWAY_TOKEN` select the gateway; without them, the development sender. */
export function smsSenderFromEnv(env: NodeJS.ProcessEnv, log: Logger): SmsSender {
	const url = env.SMS_GATEWAY_URL;
	if (!url) return developmentSender(log);
	const token = env.SMS_GATEWAY_TOKEN;
	if (!token) throw new Error('SMS_GATEWAY_URL is set but SMS_GATEWAY_TOKEN is not');
	return httpSmsSender({ url, token });
}
