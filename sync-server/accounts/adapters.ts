import { isPostgresUrl } from '../db/open';
import type { Logger } from '../http/log';
import { smsSenderFromEnv, type SmsSender } from './sms-sender';
import { phoneRegisterFromEnv, type PhoneRegister } from './phone-register';

/** How a server sends sign-in codes and checks phones against IINs. */
export interface AccountsOptions {
	sender: SmsSender;
	register: PhoneRegister;
}

/** Set to `1` to run development adapters on PostgreSQL anyway (test harnesses do). */
export const INSECURE_DEV_ACCOUNTS = 'DALA_INSECURE_DEV_ACCOUNTS';

/**
 * The sender and register the environment names. The development ones (codes in the
 * log, every phone taken as every IIN's) let anyone sign in as anyone, so they are
 * allowed only where nobody real signs in: the embedded database `npm start` makes. A
 * server on `DATABASE_URL` refuses to start with either unless INSECURE_DEV_ACCOUNTS is
 * `1`, and says which variables to set.
 */
export function accountAdaptersFromEnv(env: NodeJS.ProcessEnv, log: Logger): AccountsOptions {
	const sender = smsSenderFromEnv(env, log);
	const register = phoneRegisterFromEnv(env, log);
	const missing = [
		...(sender.development ? ['SMS_GATEWAY_URL'] : []),
		...(register.development ? ['PHONE_REGISTER_URL'] : [])
	];
	if (missing.length > 0 && isPostgresUrl(env.DATABASE_URL) && env[INSECURE_DEV_ACCOUNTS] !== '1') {
		throw new Error(
			`${missing.join(' and ')} must be set on a server with DATABASE_URL: without a real ` +
				'SMS gateway and phone register anyone could sign in as anyone. For a test ' +
				`server only, set ${INSECURE_DEV_ACCOUNTS}=1.`
		);
	}
	return { sender, register };
}

/** What /api/health says of the adapters, so a development server cannot pass for a real one. */
export function adaptersHealth({ sender, register }: AccountsOptions) {
	return {
		signInCodes: sender.development ? 'development' : 'gateway',
		phoneRegister: register.development ? 'development' : 'register'
	} as const;
}
