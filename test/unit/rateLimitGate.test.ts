import { RateLimitGate } from '../../core/transport/rateLimitGate';
import { CancelledError } from '../../core/transport/sleep';
import { track } from './track';

describe('RateLimitGate with an injected clock (no timers)', () => {
	it('opens at once when no limit is known', async () => {
		const gate = new RateLimitGate({ now: () => 0 });
		expect(gate.requestsPerMinute).toBeUndefined();
		for (let i = 0; i < 100; i++) await gate.acquire();
	});

	it('refills tokens as the clock moves', async () => {
		let clock = 1_000_000;
		const gate = new RateLimitGate({ requestsPerMinute: 60, now: () => clock });
		expect(gate.requestsPerMinute).toBeCloseTo(60, 9);
		await gate.acquire();
		// One request per second: a second later the next token is there without any wait.
		clock += 1000;
		await gate.acquire();
		clock += 1000;
		await gate.acquire();
	});

	it('ignores a non-positive requestsPerMinute', async () => {
		expect(new RateLimitGate({ requestsPerMinute: 0, now: () => 0 }).requestsPerMinute).toBeUndefined();
		expect(new RateLimitGate({ requestsPerMinute: -5, now: () => 0 }).requestsPerMinute).toBeUndefined();
	});
});

describe('RateLimitGate with fake timers', () => {
	beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
	afterEach(() => jest.useRealTimers());

	const newGate = (requestsPerMinute?: number) => new RateLimitGate({ requestsPerMinute, now: () => Date.now() });

	it('waits until the next token is available (60/min = one per second)', async () => {
		const gate = newGate(60);
		const first = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(0);
		expect(first.status).toBe('resolved');

		const second = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(999);
		expect(second.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(second.status).toBe('resolved');
	});

	it('allows a burst of one second worth of requests, then paces', async () => {
		// 600/min = 10 per second: capacity 10, then one token every 100 ms.
		const gate = newGate(600);
		const burst = Array.from({ length: 10 }, () => track(gate.acquire()));
		await jest.advanceTimersByTimeAsync(0);
		expect(burst.every((s) => s.status === 'resolved')).toBe(true);

		const eleventh = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(99);
		expect(eleventh.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(eleventh.status).toBe('resolved');
	});

	it('serves concurrent waiters one token at a time', async () => {
		const gate = newGate(60);
		await gate.acquire();
		const a = track(gate.acquire());
		const b = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(1000);
		expect([a.status, b.status].sort()).toEqual(['pending', 'resolved']);
		await jest.advanceTimersByTimeAsync(999);
		expect(a.status === 'pending' || b.status === 'pending').toBe(true);
		await jest.advanceTimersByTimeAsync(1);
		expect(a.status).toBe('resolved');
		expect(b.status).toBe('resolved');
	});

	it('stays closed until closeFor() ends, even without a known limit', async () => {
		const gate = newGate();
		gate.closeFor(5000);
		const waiter = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(4999);
		expect(waiter.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(waiter.status).toBe('resolved');
		// Once it has ended, the gate is open again.
		const later = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(0);
		expect(later.status).toBe('resolved');
	});

	it('keeps the longest closure and ignores zero or negative ones', async () => {
		const gate = newGate();
		gate.closeFor(3000);
		gate.closeFor(1000);
		gate.closeFor(0);
		gate.closeFor(-10);
		const waiter = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(2999);
		expect(waiter.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(waiter.status).toBe('resolved');
	});

	it('extends a closure while a waiter is already waiting', async () => {
		const gate = newGate();
		gate.closeFor(1000);
		const waiter = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(500);
		gate.closeFor(2000); // now closed until t = 2500
		await jest.advanceTimersByTimeAsync(1999);
		expect(waiter.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(waiter.status).toBe('resolved');
	});

	it('rejects at once with CancelledError for an aborted signal, even when open', async () => {
		const gate = newGate();
		const controller = new AbortController();
		controller.abort();
		await expect(gate.acquire(controller.signal)).rejects.toBeInstanceOf(CancelledError);
	});

	it('rejects with CancelledError when the signal aborts while waiting for a token', async () => {
		const gate = newGate(60);
		await gate.acquire();
		const controller = new AbortController();
		const waiter = track(gate.acquire(controller.signal));
		await jest.advanceTimersByTimeAsync(300);
		expect(waiter.status).toBe('pending');
		controller.abort();
		await jest.advanceTimersByTimeAsync(0);
		expect(waiter.status).toBe('rejected');
		expect(waiter.error).toBeInstanceOf(CancelledError);
	});

	it('rejects with CancelledError when the signal aborts while closed', async () => {
		const gate = newGate();
		gate.closeFor(60_000);
		const controller = new AbortController();
		const waiter = track(gate.acquire(controller.signal));
		await jest.advanceTimersByTimeAsync(10);
		controller.abort();
		await jest.advanceTimersByTimeAsync(0);
		expect(waiter.status).toBe('rejected');
		expect(waiter.error).toBeInstanceOf(CancelledError);
		expect(jest.getTimerCount()).toBe(0);
	});

	it('learns the limit and the remaining budget from a response', async () => {
		const gate = newGate();
		gate.observe({ limitRequests: 600, remainingRequests: 2 });
		expect(gate.requestsPerMinute).toBeCloseTo(600, 9);
		const states = Array.from({ length: 3 }, () => track(gate.acquire()));
		await jest.advanceTimersByTimeAsync(0);
		expect(states.map((s) => s.status)).toEqual(['resolved', 'resolved', 'pending']);
		// 600/min → one token per 100 ms.
		await jest.advanceTimersByTimeAsync(99);
		expect(states[2].status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(states[2].status).toBe('resolved');
	});

	it('does not replace a limit the user gave', () => {
		const gate = newGate(60);
		gate.observe({ limitRequests: 10_000, remainingRequests: 9000 });
		expect(gate.requestsPerMinute).toBeCloseTo(60, 9);
	});

	it('closes until the reset when no request remains and the rate is unknown', async () => {
		const gate = newGate();
		gate.observe({ remainingRequests: 0, resetRequestsMs: 2000 });
		expect(gate.requestsPerMinute).toBeUndefined();
		const waiter = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(1999);
		expect(waiter.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(waiter.status).toBe('resolved');
	});

	it('once the rate is known, waits for the next token rather than the whole reset window', async () => {
		// 60/min with nothing remaining: the next token comes after 1 s, long before the 20 s reset.
		const gate = newGate();
		gate.observe({ limitRequests: 60, remainingRequests: 0, resetRequestsMs: 20_000 });
		const waiter = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(999);
		expect(waiter.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(waiter.status).toBe('resolved');
	});

	it('once the rate is known, lowers the bucket to what the server says remains', async () => {
		// 600/min: a full bucket of 10, cut down to 2 by the server's count.
		const gate = newGate(600);
		gate.observe({ remainingRequests: 2 });
		const states = Array.from({ length: 3 }, () => track(gate.acquire()));
		await jest.advanceTimersByTimeAsync(0);
		expect(states.map((s) => s.status)).toEqual(['resolved', 'resolved', 'pending']);
		await jest.advanceTimersByTimeAsync(99);
		expect(states[2].status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(states[2].status).toBe('resolved');
	});

	it('never raises the bucket above what it holds from a remaining count', async () => {
		const gate = newGate(60);
		await gate.acquire();
		gate.observe({ remainingRequests: 500 });
		const waiter = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(999);
		expect(waiter.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(waiter.status).toBe('resolved');
	});

	it('closes until the token reset when no token remains', async () => {
		const gate = newGate();
		gate.observe({ remainingTokens: 0, resetTokensMs: 3000 });
		expect(gate.requestsPerMinute).toBeUndefined();
		const waiter = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(2999);
		expect(waiter.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(waiter.status).toBe('resolved');
	});

	it('stays open when requests and tokens remain', async () => {
		const gate = newGate();
		gate.observe({ remainingRequests: 5, remainingTokens: 100, resetRequestsMs: 9000, resetTokensMs: 9000 });
		const waiter = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(0);
		expect(waiter.status).toBe('resolved');
	});
});
