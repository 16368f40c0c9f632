import type { Logger } from '../http/log';

/**
 * Answers "is this phone registered to this IIN?": a code to a phone proves the phone,
 * not the person, so only a phone the national mobile-citizens database ties to the IIN
 * may sign in as that IIN. Throws when it cannot answer.
 */
export interface PhoneRegister {
	description: string;
	/** True for the development register: it vouches for every phone. */
	development?: boolean;
	isRegistered(iin: string, phone: string): Promise<boolean>;
}

/** For development and tests: every phone belongs to every IIN. Says so at start. */
export function developmentRegister(log: Logger): PhoneRegister {
	log.warn(
		'every phone is taken as registered to every IIN (development register): set PHONE_REGISTER_URL'
	);
	return {
		description: 'development (accepts all)',
		development: true,
		isRegistered: async () => true
	};
}

const REGISTER_TIMEOUT_MS = 10_000;

/**
 * An HTTP register: `POST url` with `Authorization: Bearer token` and `{ "iin", "phone" }`,
 * answering `{ "registered": true | false }`.
 */
export function httpPhoneRegister({ url, token }: { url: string; token: string }): PhoneRegister {
	return {
		description: `phone register ${new URL(url).origin}`,
		async isRegistered(iin, phone) {
			const res = await fetch(url, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
				body: JSON.stringify({ iin, phone }),
				signal: AbortSignal.timeout(REGISTER_TIMEOUT_MS)
			});
			if (!res.ok) {
				await res.body?.cancel();
				throw new Error(`the phone register answered ${res.status}`);
			}
			const body = (await res.json()) as { registered?: unknown };
			if (typeof body.registered !== 'boolean')
				throw new Error('the phone register answered no verdict');
			return body.registered;
		}
	};
}

/** `PHONE_REGISTER_URL` and `PHONE_REGISTER_TOKEN`; without them, the development register. */
export function phoneRegisterFromEnv(env: NodeJS.ProcessEnv, log: Logger): PhoneRegister {
	const url = env.PHONE_REGISTER_URL;
	if (!url) return developmentRegister(log);
	const token = env.PHONE_REGISTER_TOKEN;
	if (!token) throw new Error('PHONE_REGISTER_URL is set but PHONE_REGISTER_TOKEN is not');
	return httpPhoneRegister({ url, token });
}
