import { signatureHeaders } from '../../shared/device-signature';
import { Header, PROTOCOL_VERSION } from '../../shared/protocol';
import type { DeviceIdentity } from './db/database';
import type { ServerClock } from './server-clock';

/**
 * Every header a signed request of this device carries: the protocol, the device, and the
 * signature over the request with the time (by `clock`, the server's time as this device
 * knows it) and a fresh nonce. Call it for each attempt, just before sending: the server
 * accepts a nonce once and a time only within its window.
 */
export async function deviceRequestHeaders(
	identity: DeviceIdentity,
	clock: ServerClock,
	request: { method: string; pathAndQuery: string; body?: Uint8Array }
): Promise<Record<string, string>> {
	return {
		[Header.protocol]: String(PROTOCOL_VERSION),
		[Header.device]: identity.id,
		...(await signatureHeaders(identity.privateKey, request, clock.now()))
	};
}
