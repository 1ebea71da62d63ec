import { readRateLimitHeaders, readRetryAfter, type HeaderSource, type RateLimitSnapshot } from './rateLimitHeaders';

const RETRYABLE_STATUS = new Set([408, 409, 429]);
/**
 * 5xx answers that say the server cannot do this at all, not that it is busy: 501 Not Implemented
 * (llama.cpp answers embeddings with it when started without them) and 505 HTTP Version Not
 * Supported. Asking again gets the same answer, so they are not retried.
 */
const UNSUPPORTED_STATUS = new Set([501, 505]);
/** A 5xx whose own words say the feature is missing ("not implemented", "not supported"). */
const UNSUPPORTED_MESSAGE = /\bnot (?:implemented|supported)\b|\bnot_supported_error\b|\bunsupported\b/i;
const NETWORK_ERROR_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ETIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'UND_ERR_SOCKET',
	'UND_ERR_CONNECT_TIMEOUT',
]);

export interface FailureInfo {
	retryable: boolean;
	/** A sign that the server or the key is overloaded (429, 5xx, timeout, dropped connection): the window shrinks. */
	congestion: boolean;
	status?: number;
	/** The server's own word on when to come back. */
	retryAfterMs?: number;
	/** Which header said so, for messages (`retry-after: 41`, `x-ratelimit-reset-requests: 1h`). */
	retryAfterSource?: string;
	rateLimit?: RateLimitSnapshot;
}

/** The wait a 429 implies when it sends no retry-after: the longest reset it names (D2: a 1h reset is a 1h wait). */
function resetHint(headers: HeaderSource, rateLimit: RateLimitSnapshot): { ms: number; source: string } | undefined {
	let hint: { ms: number; source: string } | undefined;
	for (const [name, ms] of [
		['x-ratelimit-reset-requests', rateLimit.resetRequestsMs],
		['x-ratelimit-reset-tokens', rateLimit.resetTokensMs],
	] as const) {
		if (ms !== undefined && ms > 0 && (!hint || ms > hint.ms)) hint = { ms, source: `${name}: ${headers.get(name)}` };
	}
	return hint;
}

function headersOf(error: unknown): HeaderSource | undefined {
	const headers = (error as { headers?: unknown })?.headers;
	return headers && typeof (headers as HeaderSource).get === 'function' ? (headers as HeaderSource) : undefined;
}

/**
 * Decides whether a failed request is worth another try, and whether it says the server is
 * overloaded. Works on errors by shape (status, headers, network code), whoever sent the request.
 */
export function classifyFailure(error: unknown): FailureInfo {
	const status = (error as { status?: unknown })?.status;
	const headers = headersOf(error);
	const rateLimit = headers ? readRateLimitHeaders(headers) : undefined;
	const retryAfter = headers ? readRetryAfter(headers) : undefined;
	let retryAfterMs = retryAfter?.ms;
	let retryAfterSource = retryAfter?.source;
	if (headers && rateLimit && retryAfter === undefined && status === 429) {
		const hint = resetHint(headers, rateLimit);
		if (hint) {
			retryAfterMs = hint.ms;
			retryAfterSource = hint.source;
		}
	}
	if (typeof status === 'number') {
		const notSupported = status >= 500 && unsupported(status, error);
		// A server that cannot do this at all is not overloaded: the window stays.
		const congestion = status === 429 || status === 408 || (status >= 500 && !notSupported);
		// OpenAI's own word on whether a retry can help wins over the status (the SDK honours it too).
		const shouldRetry = headers?.get('x-should-retry')?.trim().toLowerCase();
		const retryable = shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : RETRYABLE_STATUS.has(status) || (status >= 500 && !notSupported);
		return { retryable, congestion, status, retryAfterMs, retryAfterSource, rateLimit };
	}
	const network = isNetworkError(error);
	return { retryable: network, congestion: network };
}

function unsupported(status: number, error: unknown): boolean {
	if (UNSUPPORTED_STATUS.has(status)) return true;
	const message = (error as { message?: unknown })?.message;
	return typeof message === 'string' && UNSUPPORTED_MESSAGE.test(message);
}

/**
 * The transport's socket errors and its timeout carry a network `code`; an error that wraps one
 * (a `cause`) counts too, so look along the whole chain.
 */
function isNetworkError(error: unknown): boolean {
	for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
		current = (current as { cause?: unknown }).cause;
	}
	return false;
}

export interface BackoffOptions {
	baseDelayMs: number;
	maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Exponential backoff with "equal jitter": half the delay is kept, half is random, so retries of
 * many items spread out without ever retrying at once.
 */
export function backoffDelayMs(
	retryNumber: number,
	options: BackoffOptions = DEFAULT_BACKOFF,
	random: () => number = Math.random,
): number {
	const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retryNumber - 1));
	return exponential / 2 + (exponential / 2) * random();
}
