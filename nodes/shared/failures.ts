import { ModelRequestError } from '../../core/transport/scheduler';
import { redactSecrets } from '../../core/transport/secrets';

/** Where the node's requests go, as messages name it: the base URL (no key in it) and the credential's name. */
export interface Endpoint {
	baseUrl: string;
	credential: string;
}

/** Network codes that say the base URL cannot be reached at all. */
const UNREACHABLE: Record<string, (url: string) => string> = {
	ECONNREFUSED: (url) => `Nothing answers at ${url}`,
	ENOTFOUND: (url) => `The host of ${url} was not found`,
	EAI_AGAIN: (url) => `The host of ${url} could not be looked up`,
	EHOSTUNREACH: (url) => `${url} cannot be reached`,
	ENETUNREACH: (url) => `${url} cannot be reached`,
	EADDRNOTAVAIL: (url) => `${url} cannot be reached`,
	ECONNRESET: (url) => `The server at ${url} closed the connection`,
	EPIPE: (url) => `The server at ${url} closed the connection`,
};
const TLS_CODE = /^(?:CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/;

/** The status, or else the network code, behind an error, through whatever wraps it (a retry, a loop, an item). */
function causeOf(error: unknown, depth = 0): { status?: number; code?: string } {
	if (!error || typeof error !== 'object' || depth > 6) return {};
	const e = error as { status?: unknown; code?: unknown; cause?: unknown; reason?: unknown; last?: { status?: unknown; code?: unknown } };
	if (typeof e.status === 'number') return { status: e.status };
	if (typeof e.code === 'string' && (e.code in UNREACHABLE || TLS_CODE.test(e.code))) return { code: e.code };
	for (const next of [e.reason, e.cause]) {
		const found = causeOf(next, depth + 1);
		if (found.status !== undefined || found.code !== undefined) return found;
	}
	// A Reward Loop that stopped on its requests' errors carries the last one's status or code.
	if (e.last && typeof e.last === 'object') {
		if (typeof e.last.status === 'number') return { status: e.last.status };
		if (typeof e.last.code === 'string') return { code: e.last.code };
	}
	return {};
}

/**
 * What to check, when an error is about the connection or the credential rather than the item: it
 * names the base URL and the credential (never the key). Undefined for every other error.
 */
export function endpointHint(error: unknown, endpoint: Endpoint): string | undefined {
	const { status, code } = causeOf(error);
	const url = endpoint.baseUrl;
	const credential = `the credential "${endpoint.credential}"`;
	if (status === 401) return `The server at ${url} refused the API key of ${credential}: check its API Key (and Send Key As)`;
	if (status === 403) return `The server at ${url} refused ${credential} access: check that its key, organization and project may use this model`;
	if (status === 404) return `The server at ${url} has no such model or endpoint: check the model, and the Base URL of ${credential} (the API root, ending before /chat/completions, e.g. …/v1)`;
	if (code && UNREACHABLE[code]) return `${UNREACHABLE[code](url)}: check the Base URL of ${credential} and that the server is running`;
	if (code && TLS_CODE.test(code)) return `The secure connection to ${url} failed: check the Base URL of ${credential} (http or https) and the server's certificate`;
	return undefined;
}

/**
 * One line that tells the user why an item failed, with no secret in it. The SDK's messages
 * already start with the HTTP status ("429 Rate limit reached ..."); network errors get their cause.
 * With the endpoint, an error about the connection or the credential leads with what to check.
 */
export function describeFailure(error: unknown, attempts: number, secrets: string[], endpoint?: Endpoint): string {
	// A request that failed inside a larger task (a judge, a loop round) carries its own attempts.
	if (error instanceof ModelRequestError) return describeFailure(error.cause, error.attempts, secrets, endpoint);
	const err = error as { message?: unknown; status?: unknown; code?: unknown; cause?: { code?: unknown; message?: unknown } };
	let message = typeof err?.message === 'string' && err.message ? err.message : String(error);
	if (typeof err?.status !== 'number') {
		// A socket error says "socket hang up"; its code (ECONNRESET) is the cause worth naming.
		const own = typeof err?.code === 'string' ? err.code : undefined;
		const cause = err?.cause && typeof err.cause === 'object' ? (typeof err.cause.code === 'string' ? err.cause.code : err.cause.message) : undefined;
		for (const detail of [own, cause]) {
			if (typeof detail === 'string' && detail && !message.includes(detail)) message = `${message} (${detail})`;
		}
	}
	if (typeof err?.status === 'number' && !message.startsWith(String(err.status)) && !message.startsWith('the server answered')) {
		message = `the server answered ${err.status}: ${message}`;
	}
	if (attempts > 1) message += ` (after ${attempts} attempts)`;
	const hint = endpoint ? endpointHint(error, endpoint) : undefined;
	if (hint) message = `${hint}. ${message}`;
	return redactSecrets(message, secrets);
}
