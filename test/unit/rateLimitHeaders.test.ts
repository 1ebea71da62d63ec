import { parseDuration, readRateLimitHeaders, readRetryAfter, readRetryAfterMs } from '../../core/transport/rateLimitHeaders';

describe('parseDuration', () => {
	it.each([
		['20ms', 20],
		['1s', 1000],
		['6m0s', 6 * 60_000],
		['1h2m3.5s', 3_600_000 + 2 * 60_000 + 3500],
		['0.5', 500],
		['2', 2000],
		['1m30s', 90_000],
		['  250ms  ', 250],
		['1.5ms', 1.5],
	])('parses %j as %d ms', (text, expected) => {
		expect(parseDuration(text)).toBe(expected);
	});

	it.each(['garbage', '1x', '5s later', 'x5s', '-1s', '1s 2s', 'ms'])('returns undefined for %j', (text) => {
		expect(parseDuration(text)).toBeUndefined();
	});

	it('returns undefined for null, undefined and blank text', () => {
		expect(parseDuration(null)).toBeUndefined();
		expect(parseDuration(undefined)).toBeUndefined();
		expect(parseDuration('')).toBeUndefined();
		expect(parseDuration('   ')).toBeUndefined();
	});
});

describe('readRateLimitHeaders', () => {
	it('reads every OpenAI rate-limit header', () => {
		const headers = new Headers({
			'x-ratelimit-limit-requests': '500',
			'x-ratelimit-remaining-requests': '499',
			'x-ratelimit-reset-requests': '120ms',
			'x-ratelimit-limit-tokens': '30000',
			'x-ratelimit-remaining-tokens': '29000',
			'x-ratelimit-reset-tokens': '6m0s',
		});
		expect(readRateLimitHeaders(headers)).toEqual({
			limitRequests: 500,
			remainingRequests: 499,
			resetRequestsMs: 120,
			limitTokens: 30000,
			remainingTokens: 29000,
			resetTokensMs: 360_000,
		});
	});

	it('leaves missing, blank or non-numeric headers undefined', () => {
		const headers = new Headers({
			'x-ratelimit-limit-requests': 'lots',
			'x-ratelimit-remaining-requests': ' ',
			'x-ratelimit-reset-requests': 'soon',
			'x-ratelimit-remaining-tokens': '0',
		});
		const snapshot = readRateLimitHeaders(headers);
		expect(snapshot.limitRequests).toBeUndefined();
		expect(snapshot.remainingRequests).toBeUndefined();
		expect(snapshot.resetRequestsMs).toBeUndefined();
		expect(snapshot.limitTokens).toBeUndefined();
		expect(snapshot.remainingTokens).toBe(0);
		expect(snapshot.resetTokensMs).toBeUndefined();
	});

	it('works with any object that has get()', () => {
		const values: Record<string, string> = { 'x-ratelimit-limit-tokens': '42' };
		const source = { get: (name: string) => values[name] ?? null };
		expect(readRateLimitHeaders(source).limitTokens).toBe(42);
	});
});

describe('readRetryAfterMs', () => {
	const now = Date.UTC(2024, 0, 1, 12, 0, 0);

	it('prefers retry-after-ms', () => {
		const headers = new Headers({ 'retry-after-ms': '1500', 'retry-after': '30' });
		expect(readRetryAfterMs(headers, now)).toBe(1500);
	});

	it('reads retry-after as seconds', () => {
		expect(readRetryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
		expect(readRetryAfterMs(new Headers({ 'retry-after': '0.25' }), now)).toBe(250);
	});

	it('reads retry-after as an HTTP date relative to now', () => {
		const date = new Date(now + 7000).toUTCString();
		expect(readRetryAfterMs(new Headers({ 'retry-after': date }), now)).toBe(7000);
	});

	it('never returns a negative wait for a date in the past', () => {
		const date = new Date(now - 60_000).toUTCString();
		expect(readRetryAfterMs(new Headers({ 'retry-after': date }), now)).toBe(0);
	});

	it('falls back to retry-after when retry-after-ms is negative or not a number', () => {
		expect(readRetryAfterMs(new Headers({ 'retry-after-ms': '-5', 'retry-after': '3' }), now)).toBe(3000);
		expect(readRetryAfterMs(new Headers({ 'retry-after-ms': 'x', 'retry-after': '1' }), now)).toBe(1000);
	});

	it('returns undefined without a usable header', () => {
		expect(readRetryAfterMs(new Headers(), now)).toBeUndefined();
		expect(readRetryAfterMs(new Headers({ 'retry-after': '  ' }), now)).toBeUndefined();
		expect(readRetryAfterMs(new Headers({ 'retry-after': 'not a date' }), now)).toBeUndefined();
		expect(readRetryAfterMs(new Headers({ 'retry-after': '-4' }), now)).toBeUndefined();
	});
});

describe('readRetryAfter', () => {
	const now = Date.UTC(2026, 0, 1);
	it('names the header the wait came from, as it was sent', () => {
		expect(readRetryAfter(new Headers({ 'retry-after-ms': '1500', 'retry-after': '2' }), now)).toEqual({ ms: 1500, source: 'retry-after-ms: 1500' });
		expect(readRetryAfter(new Headers({ 'retry-after': '41' }), now)).toEqual({ ms: 41_000, source: 'retry-after: 41' });
	});
	it('names retry-after when an unusable retry-after-ms was passed over', () => {
		expect(readRetryAfter(new Headers({ 'retry-after-ms': '-5', 'retry-after': '3' }), now)).toEqual({ ms: 3000, source: 'retry-after: 3' });
	});
	it('is undefined without a usable header', () => {
		expect(readRetryAfter(new Headers({ 'retry-after': 'not a date' }), now)).toBeUndefined();
	});
});
