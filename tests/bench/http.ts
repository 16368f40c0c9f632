/**
 * The smallest HTTP/1.1 client that does what a device does: one kept-alive connection,
 * bytes in, bytes out. Response bodies are kept as received (compressed or not) and only
 * decoded when asked, so the timed part of a benchmark spends no client CPU on them:
 * client and server share this machine's cores.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface HttpResponse {
	status: number;
	headers: IncomingHttpHeaders;
	/** The body bytes as they came off the socket (still gzip when the server sent gzip). */
	body: Buffer;
	/** From sending the request to the last byte of the response, in milliseconds. */
	ms: number;
}

/** One connection, kept open between requests: a phone talks to the server this way. */
export function deviceAgent(): Agent {
	return new Agent({ keepAlive: true, maxSockets: 1 });
}

/** Sends one request to 127.0.0.1:`port` and reads the whole response. */
export function send(
	agent: Agent,
	port: number,
	method: 'GET' | 'POST',
	path: string,
	headers: Record<string, string>,
	body?: Buffer
): Promise<HttpResponse> {
	return new Promise((resolve, reject) => {
		const start = performance.now();
		const req = httpRequest(
			{
				agent,
				host: '127.0.0.1',
				port,
				method,
				path,
				headers: body ? { ...headers, 'Content-Length': String(body.length) } : headers
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', reject);
				res.on('end', () =>
					resolve({
						status: res.statusCode ?? 0,
						headers: res.headers,
						body: Buffer.concat(chunks),
						ms: performance.now() - start
					})
				);
			}
		);
		req.on('error', reject);
		req.end(body);
	});
}

/** The response body as text, gunzipped when it was sent compressed. */
export function bodyText(response: HttpResponse): string {
	const encoding = response.headers['content-encoding'];
	const bytes = encoding === 'gzip' ? gunzipSync(response.body) : response.body;
	return bytes.toString('utf8');
}
