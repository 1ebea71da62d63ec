import { backoffDelayMs, classifyFailure, DEFAULT_BACKOFF } from '../../core/transport/retryPolicy';
import { HttpStatusError, RequestAbortedError, RequestTimeoutError } from '../../core/transport/http';

class SomethingElseError extends Error {}

describe('classifyFailure', () => {
	it.each([408, 409, 429, 500, 502, 503, 504])('retries HTTP %d', (status) => {
		expect(classifyFailure({ status })).toEqual(expect.objectContaining({ retryable: true, status }));
	});

	it.each([400, 401, 403, 404, 422])('does not retry HTTP %d', (status) => {
		expect(classifyFailure({ status })).toEqual(expect.objectContaining({ retryable: false, status }));
	});

	it('does not retry a server that cannot do it at all: 501, 505, or a 5xx saying "not implemented" / "not supported"', () => {
		for (const status of [501, 505]) expect(classifyFailure({ status })).toEqual(expect.objectContaining({ retryable: false, congestion: false, status }));
		const headers = new Headers();
		expect(classifyFailure(new HttpStatusError(500, headers, 'Embeddings are not implemented'))).toEqual(expect.objectContaining({ retryable: false, congestion: false }));
		expect(classifyFailure(new HttpStatusError(500, headers, 'This server does not support embeddings (not_supported_error)'))).toEqual(expect.objectContaining({ retryable: false }));
		expect(classifyFailure(new HttpStatusError(503, headers, 'model overloaded'))).toEqual(expect.objectContaining({ retryable: true, congestion: true }));
		// A 200 whose answer breaks its shape carries its status: nothing says asking again would help.
		expect(classifyFailure({ status: 200 })).toEqual(expect.objectContaining({ retryable: false, congestion: false }));
	});

	it('reads retry-after and the rate-limit snapshot from the error headers', () => {
		const info = classifyFailure({
			status: 429,
			headers: new Headers({
				'retry-after-ms': '750',
				'x-ratelimit-limit-requests': '60',
				'x-ratelimit-remaining-requests': '0',
				'x-ratelimit-reset-requests': '1s',
			}),
		});
		expect(info.retryable).toBe(true);
		expect(info.status).toBe(429);
		expect(info.retryAfterMs).toBe(750);
		expect(info.rateLimit).toEqual(
			expect.objectContaining({ limitRequests: 60, remainingRequests: 0, resetRequestsMs: 1000 }),
		);
	});

	it('ignores headers that are not a header source', () => {
		const info = classifyFailure({ status: 503, headers: { 'retry-after': '5' } });
		expect(info.retryable).toBe(true);
		expect(info.retryAfterMs).toBeUndefined();
		expect(info.rateLimit).toBeUndefined();
	});

	it('retries network errors found anywhere along the cause chain', () => {
		expect(classifyFailure({ cause: { code: 'ECONNRESET' } }).retryable).toBe(true);
		expect(classifyFailure(new Error('fetch failed', { cause: { code: 'ECONNREFUSED' } })).retryable).toBe(true);
		const deep = new Error('outer', { cause: new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } }) });
		expect(classifyFailure(deep).retryable).toBe(true);
		expect(classifyFailure({ code: 'ETIMEDOUT' }).retryable).toBe(true);
	});

	it("reads every error the transport produces: status errors, its timeout, socket errors; an abort is not retried", () => {
		const overloaded = new HttpStatusError(503, new Headers({ 'retry-after': '2' }), 'overloaded');
		expect(classifyFailure(overloaded)).toMatchObject({ retryable: true, status: 503, retryAfterMs: 2000 });
		expect(classifyFailure(new HttpStatusError(200, new Headers(), 'the answer is not JSON: <html>'))).toMatchObject({ retryable: false, status: 200 });
		expect(classifyFailure(new RequestTimeoutError(50)).retryable).toBe(true);
		expect(classifyFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })).retryable).toBe(true);
		expect(classifyFailure(new RequestAbortedError()).retryable).toBe(false);
	});

	it('does not retry other errors', () => {
		expect(classifyFailure(new Error('boom'))).toEqual({ retryable: false, congestion: false });
		expect(classifyFailure(new SomethingElseError('nope')).retryable).toBe(false);
		expect(classifyFailure({ cause: { code: 'ENOENT' } }).retryable).toBe(false);
		expect(classifyFailure({ code: 42 }).retryable).toBe(false);
		expect(classifyFailure('a string').retryable).toBe(false);
		expect(classifyFailure(undefined).retryable).toBe(false);
		expect(classifyFailure(null).retryable).toBe(false);
	});

	it('does not loop forever on a cyclic cause chain', () => {
		const a: { cause?: unknown } = {};
		const b: { cause?: unknown } = { cause: a };
		a.cause = b;
		expect(classifyFailure(a).retryable).toBe(false);
	});
});

describe('backoffDelayMs', () => {
	const options = { baseDelayMs: 100, maxDelayMs: 1000 };

	it('keeps half of the exponential delay with random() = 0', () => {
		expect(backoffDelayMs(1, options, () => 0)).toBe(50);
		expect(backoffDelayMs(2, options, () => 0)).toBe(100);
		expect(backoffDelayMs(3, options, () => 0)).toBe(200);
	});

	it('reaches the full exponential delay with random() = 1', () => {
		expect(backoffDelayMs(1, options, () => 1)).toBe(100);
		expect(backoffDelayMs(2, options, () => 1)).toBe(200);
		expect(backoffDelayMs(4, options, () => 1)).toBe(800);
	});

	it('caps the delay at maxDelayMs', () => {
		// 100 * 2^4 = 1600 is above the 1000 cap.
		expect(backoffDelayMs(5, options, () => 1)).toBe(1000);
		expect(backoffDelayMs(5, options, () => 0)).toBe(500);
		expect(backoffDelayMs(30, options, () => 0.5)).toBe(750);
	});

	it('stays within [delay/2, delay] for any random value', () => {
		for (const r of [0, 0.1, 0.37, 0.5, 0.99, 1]) {
			const delay = backoffDelayMs(3, options, () => r);
			expect(delay).toBeGreaterThanOrEqual(200);
			expect(delay).toBeLessThanOrEqual(400);
			expect(delay).toBeCloseTo(200 + 200 * r, 10);
		}
	});

	it('uses the default options', () => {
		expect(DEFAULT_BACKOFF).toEqual({ baseDelayMs: 500, maxDelayMs: 30_000 });
		expect(backoffDelayMs(1, undefined, () => 1)).toBe(500);
		expect(backoffDelayMs(1, undefined, () => 0)).toBe(250);
		expect(backoffDelayMs(20, undefined, () => 1)).toBe(30_000);
	});
});
