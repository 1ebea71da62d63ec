/** Reads the rate-limit headers that OpenAI and most OpenAI-compatible servers send. */

export interface HeaderSource {
	get(name: string): string | null;
}

export interface RateLimitSnapshot {
	limitRequests?: number;
	remainingRequests?: number;
	resetRequestsMs?: number;
	limitTokens?: number;
	remainingTokens?: number;
	resetTokensMs?: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses OpenAI's reset durations ("20ms", "1s", "6m0s", "1h2m3.5s") and plain seconds ("0.5").
 * Returns milliseconds, or undefined when the value is not a duration.
 */
export function parseDuration(value: string | null | undefined): number | undefined {
	if (value === null || value === undefined) return undefined;
	const text = value.trim();
	if (text === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
	const part = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
	let total = 0;
	let consumed = 0;
	for (const match of text.matchAll(part)) {
		total += Number(match[1]) * UNIT_MS[match[2]];
		consumed += match[0].length;
	}
	return consumed === text.length ? total : undefined;
}

function readNumber(headers: HeaderSource, name: string): number | undefined {
	const raw = headers.get(name);
	if (raw === null || raw.trim() === '') return undefined;
	const value = Number(raw);
	return Number.isFinite(value) ? value : undefined;
}

export function readRateLimitHeaders(headers: HeaderSource): RateLimitSnapshot {
	return {
		limitRequests: readNumber(headers, 'x-ratelimit-limit-requests'),
		remainingRequests: readNumber(headers, 'x-ratelimit-remaining-requests'),
		resetRequestsMs: parseDuration(headers.get('x-ratelimit-reset-requests')),
		limitTokens: readNumber(headers, 'x-ratelimit-limit-tokens'),
		remainingTokens: readNumber(headers, 'x-ratelimit-remaining-tokens'),
		resetTokensMs: parseDuration(headers.get('x-ratelimit-reset-tokens')),
	};
}

/**
 * `retry-after-ms` first (OpenAI's precise form), then `retry-after` as seconds or an HTTP date;
 * with the header that said so, as it was sent (for messages: `retry-after: 41`).
 */
export function readRetryAfter(headers: HeaderSource, now: number = Date.now()): { ms: number; source: string } | undefined {
	const precise = readNumber(headers, 'retry-after-ms');
	if (precise !== undefined && precise >= 0) return { ms: precise, source: `retry-after-ms: ${headers.get('retry-after-ms')}` };
	const raw = headers.get('retry-after');
	if (raw === null || raw.trim() === '') return undefined;
	const source = `retry-after: ${raw}`;
	const seconds = Number(raw);
	if (Number.isFinite(seconds)) return seconds >= 0 ? { ms: seconds * 1000, source } : undefined;
	const date = Date.parse(raw);
	return Number.isNaN(date) ? undefined : { ms: Math.max(0, date - now), source };
}

/** The wait `readRetryAfter` finds, alone. */
export function readRetryAfterMs(headers: HeaderSource, now: number = Date.now()): number | undefined {
	return readRetryAfter(headers, now)?.ms;
}
