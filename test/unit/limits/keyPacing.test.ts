/**
 * A key's pacing, through its KeyLimiter in this process: the request bucket (one second's worth of
 * a per-minute limit), the token bucket, closures, and what the server's headers teach. Each acquire
 * is released at once, so the concurrency window never holds a request back here.
 */
import { KeyLimiter, NO_DEMAND, type Permit, type RequestDemand } from '../../../core/transport/limits/keyLimiter';
import { LocalPacingStore } from '../../../core/transport/limits/store';
import type { RateLimitSnapshot } from '../../../core/transport/rateLimitHeaders';
import { CancelledError } from '../../../core/transport/sleep';
import { track } from '../track';

class Gate {
	readonly limiter = new KeyLimiter('test', new LocalPacingStore());

	constructor(requestsPerMinute?: number) {
		if (requestsPerMinute) this.limiter.declare(requestsPerMinute);
	}

	async acquire(signal: AbortSignal = new AbortController().signal, demand: RequestDemand = NO_DEMAND): Promise<void> {
		(await this.limiter.acquire(demand, signal)).release('neutral');
	}

	observe(snapshot: RateLimitSnapshot): void {
		this.limiter.observe(snapshot);
	}

	closeFor(ms: number): void {
		this.limiter.closeFor(ms);
	}

	async requestsPerMinute(): Promise<number | undefined> {
		return (await this.limiter.describe()).requestsPerMinute;
	}
}

describe('a key with no limit known', () => {
	it('lets every request go at once', async () => {
		const gate = new Gate();
		expect(await gate.requestsPerMinute()).toBeUndefined();
		for (let i = 0; i < 100; i++) await gate.acquire();
	});
});

describe('a key paced in this process (fake timers)', () => {
	beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
	afterEach(() => jest.useRealTimers());

	const newGate = (requestsPerMinute?: number) => new Gate(requestsPerMinute);

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

	it('allows a burst of half a second worth of requests, then paces', async () => {
		// 600/min = 10 per second: capacity 5, then one token every 100 ms.
		const gate = newGate(600);
		const burst = Array.from({ length: 5 }, () => track(gate.acquire()));
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
		// 4 remain on the server; a fifth of a second's worth (2 at 600/min) stays there as a reserve.
		gate.observe({ limitRequests: 600, remainingRequests: 4 });
		expect(await gate.requestsPerMinute()).toBeCloseTo(600, 9);
		const states = Array.from({ length: 3 }, () => track(gate.acquire()));
		await jest.advanceTimersByTimeAsync(0);
		expect(states.map((s) => s.status)).toEqual(['resolved', 'resolved', 'pending']);
		// 600/min → one token per 100 ms.
		await jest.advanceTimersByTimeAsync(99);
		expect(states[2].status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(states[2].status).toBe('resolved');
	});

	it('does not replace a limit the user gave', async () => {
		const gate = newGate(60);
		gate.observe({ limitRequests: 10_000, remainingRequests: 9000 });
		expect(await gate.requestsPerMinute()).toBeCloseTo(60, 9);
	});

	it('closes until the reset when no request remains and the rate is unknown', async () => {
		const gate = newGate();
		gate.observe({ remainingRequests: 0, resetRequestsMs: 2000 });
		expect(await gate.requestsPerMinute()).toBeUndefined();
		const waiter = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(1999);
		expect(waiter.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(waiter.status).toBe('resolved');
	});

	it('once the rate is known, waits for the next token rather than the whole reset window', async () => {
		// 60/min with nothing remaining: the next token, beyond the reserve of 0.2, comes after 1.2 s,
		// long before the 20 s reset.
		const gate = newGate();
		gate.observe({ limitRequests: 60, remainingRequests: 0, resetRequestsMs: 20_000 });
		const waiter = track(gate.acquire());
		await jest.advanceTimersByTimeAsync(1199);
		expect(waiter.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(waiter.status).toBe('resolved');
	});

	it('when it first learns the limit, counts the requests let go after the answered one as not yet seen by the server', async () => {
		// Five requests went out before anything was known. The first answer says 600/min (a bucket of 5, a
		// reserve of 2) with 4 remaining, but the other four may not have reached the server yet: the bucket
		// starts at 4 - 2 - 4 = -2, three requests' worth (300 ms) below the next one.
		const limiter = new KeyLimiter('unanswered', new LocalPacingStore());
		const signal = new AbortController().signal;
		const permits = await Promise.all(Array.from({ length: 5 }, () => limiter.acquire(NO_DEMAND, signal)));
		limiter.observe({ limitRequests: 600, remainingRequests: 4 }, undefined, permits[0]);
		permits[0].release('ok');
		const next = track(limiter.acquire(NO_DEMAND, signal));
		await jest.advanceTimersByTimeAsync(299);
		expect(next.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(next.status).toBe('resolved');
		for (const permit of permits.slice(1)) permit.release('ok');
	});

	it('the answers to the rest of that first burst each set the level, the last counting nothing as unseen', async () => {
		// Same five; all had reached the server (its 4 remaining counted them), so the last answer, from the
		// fifth request, with 0 remaining sets the level to 0 - 2 = -2 at once: the next request waits 300 ms,
		// not the -2 - 4 = -6 (700 ms) the first answer alone would have asked for.
		const limiter = new KeyLimiter('first-burst', new LocalPacingStore());
		const signal = new AbortController().signal;
		const permits = await Promise.all(Array.from({ length: 5 }, () => limiter.acquire(NO_DEMAND, signal)));
		limiter.observe({ limitRequests: 600, remainingRequests: 0 }, undefined, permits[0]);
		limiter.observe({ limitRequests: 600, remainingRequests: 0 }, undefined, permits[4]);
		for (const permit of permits) permit.release('ok');
		const next = track(limiter.acquire(NO_DEMAND, signal));
		await jest.advanceTimersByTimeAsync(299);
		expect(next.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(next.status).toBe('resolved');
	});

	it('once the rate is known, lowers the bucket to what the server says remains', async () => {
		// 600/min: a full bucket of 5, cut down to 2 by the server's count of 4 less the reserve of 2.
		const gate = newGate(600);
		gate.observe({ remainingRequests: 4 });
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
		expect(await gate.requestsPerMinute()).toBeUndefined();
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

/**
 * The test server's request bucket on fake time: 1,200/min in a bucket of one second (20). A request
 * reaches it `delayMs` after it was let go, is answered 50 ms later with the remaining count of then
 * (as the test server counts), and the answer is observed (with the request's permit, or without).
 */
function simulatedServer(limiter: KeyLimiter, startLevel: number, observeWithPermit: boolean) {
	const perMs = 1200 / 60_000;
	let level = startLevel;
	let refilledAt = Date.now();
	const refill = () => {
		level = Math.min(20, level + (Date.now() - refilledAt) * perMs);
		refilledAt = Date.now();
	};
	const levelsOnArrival: number[] = [];
	const send = async (permit: Permit, delayMs: number) => {
		await new Promise((resolve) => setTimeout(resolve, delayMs));
		refill();
		levelsOnArrival.push(level);
		level -= 1;
		await new Promise((resolve) => setTimeout(resolve, 50));
		refill();
		limiter.observe({ limitRequests: 1200, remainingRequests: Math.max(0, Math.floor(level)) }, undefined, observeWithPermit ? permit : undefined);
		permit.release('ok', 50);
	};
	return { send, levelsOnArrival };
}

describe('a server bucket drained by a first burst (fake timers)', () => {
	beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
	afterEach(() => jest.useRealTimers());

	it('keeps a reserve in the server\'s bucket instead of pacing at its exact rate', async () => {
		// The server: 1,200/min in a bucket of one second (20), empty after the burst that taught the limit.
		const limiter = new KeyLimiter('drained', new LocalPacingStore());
		const { send, levelsOnArrival } = simulatedServer(limiter, 0, false);
		limiter.observe({ limitRequests: 1200, remainingRequests: 0 });
		const signal = new AbortController().signal;
		// 60 requests, each reaching the server 0 to 9 ms after it was let go and answered 50 ms later.
		const requests = Array.from({ length: 60 }, async (_, i) => send(await limiter.acquire(NO_DEMAND, signal), (i * 7) % 10));
		await jest.advanceTimersByTimeAsync(5_000);
		await Promise.all(requests);
		expect(levelsOnArrival).toHaveLength(60);
		// Paced at exactly the server's rate, a request would find about 1 left (any jitter: a 429);
		// the reserve of a fifth of a second (4 requests) leaves more than 2 after the rounding of remaining counts.
		expect(Math.min(...levelsOnArrival)).toBeGreaterThan(3);
	});

	it('keeps the reserve when the burst that taught the limit is still reaching the server', async () => {
		// The server: 1,200/min in a bucket of one second (20), remaining counted when it answers (as the test
		// server does). Twenty requests let go before anything was known reach it 16 ms apart (a busy event loop
		// spreads them over 300 ms), each answered 50 ms after it arrived; then 40 more, paced. The first answer
		// (at 50 ms, 4 arrived) says 17 remain while 16 of the burst are still on their way.
		const limiter = new KeyLimiter('first-burst-on-its-way', new LocalPacingStore());
		const { send, levelsOnArrival } = simulatedServer(limiter, 20, true);
		const signal = new AbortController().signal;
		const burst = await Promise.all(Array.from({ length: 20 }, () => limiter.acquire(NO_DEMAND, signal)));
		const requests = burst.map((permit, i) => send(permit, i * 16));
		const paced = Array.from({ length: 40 }, async (_, i) => send(await limiter.acquire(NO_DEMAND, signal), (i * 7) % 10));
		await jest.advanceTimersByTimeAsync(10_000);
		await Promise.all([...requests, ...paced]);
		expect(levelsOnArrival).toHaveLength(60);
		// The reserve (4 requests) is kept in full: 6.1 at worst. Counting the unanswered requests floored at
		// 0 (the earlier rule), the burst's tail used a quarter of it (3.08 at worst).
		expect(Math.min(...levelsOnArrival)).toBeGreaterThan(4);
	});
});

describe('tokens per minute (fake timers)', () => {
	beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
	afterEach(() => jest.useRealTimers());

	const demand = (promptTokens: number, extra: Partial<RequestDemand> = {}): RequestDemand => ({ promptTokens, choices: 1, ...extra });

	it('paces requests by their token cost once the server states a token limit', async () => {
		// 60,000 tokens/min = 1,000 per second, a bucket of 500: one 400-token request now, the second 300 ms later.
		const gate = new Gate();
		gate.observe({ limitTokens: 60_000, remainingTokens: 60_000 });
		const states = [0, 1].map(() => track(gate.acquire(undefined, demand(400))));
		await jest.advanceTimersByTimeAsync(0);
		expect(states.map((s) => s.status)).toEqual(['resolved', 'pending']);
		await jest.advanceTimersByTimeAsync(299);
		expect(states[1].status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(states[1].status).toBe('resolved');
		const third = track(gate.acquire(undefined, demand(400)));
		await jest.advanceTimersByTimeAsync(399);
		expect(third.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(third.status).toBe('resolved');
	});

	it('lets a request larger than the bucket go when the bucket is full, and makes the next wait off the debt', async () => {
		// 6,000 tokens/min = 100 per second, a bucket of 50; a 1,000-token request leaves 950 of debt: the next (50) waits 10 s.
		const gate = new Gate();
		gate.observe({ limitTokens: 6_000 });
		await gate.acquire(undefined, demand(1000));
		const next = track(gate.acquire(undefined, demand(50)));
		await jest.advanceTimersByTimeAsync(9_999);
		expect(next.status).toBe('pending');
		await jest.advanceTimersByTimeAsync(1);
		expect(next.status).toBe('resolved');
	});

	it('counts max completion tokens per answer, or what answers have cost so far, and calibrates the prompt estimate', () => {
		const limiter = new KeyLimiter('tokens', new LocalPacingStore());
		expect(limiter.tokensFor({ promptTokens: 100, choices: 3, maxCompletionTokens: 50 })).toBe(250);
		expect(limiter.tokensFor({ promptTokens: 100, choices: 1 })).toBe(100);
		// The server counted 120 prompt tokens where we estimated 100, and answers cost 40 tokens each.
		limiter.learnUsage({ promptTokens: 100, choices: 2 }, { promptTokens: 120, completionTokens: 80 });
		expect(limiter.tokensFor({ promptTokens: 100, choices: 1 })).toBe(160);
		expect(limiter.tokensFor({ promptTokens: 0, choices: 0 })).toBe(0);
	});

	it('follows the server down when it says fewer tokens remain', async () => {
		const gate = new Gate();
		gate.observe({ limitTokens: 60_000, remainingTokens: 60_000 });
		// 300 remain, less the reserve of a fifth of a second (200 tokens at 60,000/min).
		gate.observe({ remainingTokens: 300 });
		const first = track(gate.acquire(undefined, demand(100)));
		const second = track(gate.acquire(undefined, demand(100)));
		await jest.advanceTimersByTimeAsync(0);
		expect([first.status, second.status]).toEqual(['resolved', 'pending']);
		await jest.advanceTimersByTimeAsync(100);
		expect(second.status).toBe('resolved');
	});
});

describe('limits per model', () => {
	it('stay per key while every model states the same limit, and split once two models state different ones', async () => {
		const limiter = new KeyLimiter('models', new LocalPacingStore());
		limiter.observe({ limitRequests: 600 }, 'small');
		limiter.observe({ limitRequests: 600 }, 'large');
		expect((await limiter.describe('small')).requestsPerMinute).toBeCloseTo(600, 6);
		expect((await limiter.describe('other')).requestsPerMinute).toBeCloseTo(600, 6);
		// The answer that shows the difference goes to its model's own state.
		limiter.observe({ limitRequests: 60 }, 'large');
		expect((await limiter.describe('large')).requestsPerMinute).toBeCloseTo(60, 6);
		expect((await limiter.describe('small')).requestsPerMinute).toBeUndefined();
		limiter.observe({ limitRequests: 600 }, 'small');
		expect((await limiter.describe('small')).requestsPerMinute).toBeCloseTo(600, 6);
		expect((await limiter.describe('large')).requestsPerMinute).toBeCloseTo(60, 6);
	});

	it('a limit the user declares is the whole key\'s', async () => {
		const limiter = new KeyLimiter('declared', new LocalPacingStore());
		limiter.observe({ limitRequests: 600 }, 'small');
		limiter.observe({ limitRequests: 60 }, 'large');
		limiter.declare(120);
		expect((await limiter.describe('small')).requestsPerMinute).toBeCloseTo(120, 6);
		expect((await limiter.describe('large')).requestsPerMinute).toBeCloseTo(120, 6);
	});
});
