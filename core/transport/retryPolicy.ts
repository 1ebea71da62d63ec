import { readRateLimitHeaders, readRetryAfterMs, type HeaderSource, type RateLimitSnapshot } from './rateLimitHeaders';

const RETRYABLE_STATUS = new Set([408, 409, 429]);
const NETWORK_ERROR_NAMES = new Set(['APIConnectionError', 'APIConnectionTimeoutError']);
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
	status?: number;
	/** The server's own word on when to come back. */
	retryAfterMs?: number;
	rateLimit?: RateLimitSnapshot;
}

function headersOf(error: unknown): HeaderSource | undefined {
	const headers = (error as { headers?: unknown })?.headers;
	return headers && typeof (headers as HeaderSource).get === 'function' ? (headers as HeaderSource) : undefined;
}

/**
 * Decides whether a failed request is worth another try. Works on the openai SDK's errors by
 * shape (status, headers, name) so the scheduler stays independent of the SDK.
 */
export function classifyFailure(error: unknown): FailureInfo {
	const status = (error as { status?: unknown })?.status;
	const headers = headersOf(error);
	const rateLimit = headers ? readRateLimitHeaders(headers) : undefined;
	const retryAfterMs = headers ? readRetryAfterMs(headers) : undefined;
	if (typeof status === 'number') {
		return {
			retryable: RETRYABLE_STATUS.has(status) || status >= 500,
			status,
			retryAfterMs,
			rateLimit,
		};
	}
	return { retryable: isNetworkError(error) };
}

/** The SDK wraps fetch's TypeError, which wraps the socket error: look along the whole chain. */
function isNetworkError(error: unknown): boolean {
	for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
		for (let proto = Object.getPrototypeOf(current); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
			if (NETWORK_ERROR_NAMES.has((proto as { constructor: { name: string } }).constructor.name)) return true;
		}
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
