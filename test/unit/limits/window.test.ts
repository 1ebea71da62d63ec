import { ConcurrencyWindow, INITIAL_WINDOW, MAX_WINDOW, Semaphore, SLOW_START_GAIN } from '../../../core/transport/limits/window';
import { CancelledError } from '../../../core/transport/sleep';
import { track } from '../track';

const tick = () => new Promise((resolve) => setImmediate(resolve));
/** Fills the window, as a run with more requests waiting does (enter admits synchronously while there is room). */
const fill = (window: ConcurrencyWindow) => {
	while (window.active < window.limit) void window.enter();
};
/** An answer on a full window. */
const okWhenFull = (window: ConcurrencyWindow, latencyMs?: number) => {
	fill(window);
	window.leave('ok', latencyMs);
};

describe('ConcurrencyWindow', () => {
	it(`starts at ${INITIAL_WINDOW} requests in flight and holds the next one back`, async () => {
		const window = new ConcurrencyWindow(() => 0);
		for (let i = 0; i < INITIAL_WINDOW; i++) await window.enter();
		const next = track(window.enter());
		await tick();
		expect(next.status).toBe('pending');
		window.leave('neutral');
		await tick();
		expect(next.status).toBe('resolved');
		expect(window.active).toBe(INITIAL_WINDOW);
	});

	it('in slow start grows by nine per answer (tenfold per round trip), up to its maximum', () => {
		const window = new ConcurrencyWindow(() => 0);
		for (let i = 0; i < INITIAL_WINDOW; i++) okWhenFull(window);
		expect(window.limit).toBe(INITIAL_WINDOW + INITIAL_WINDOW * SLOW_START_GAIN);
		for (let i = 0; i < 1000; i++) okWhenFull(window);
		expect(window.limit).toBe(MAX_WINDOW);
		expect(window.inSlowStart).toBe(true);
	});

	it('halves on congestion at most once per round trip, then grows by about one per round trip', () => {
		let now = 10_000;
		const window = new ConcurrencyWindow(() => now);
		okWhenFull(window, 100);
		okWhenFull(window, 100);
		expect(window.limit).toBe(38);
		window.leave('congestion', 100);
		window.leave('congestion', 100);
		window.leave('congestion', 100);
		// One burst of 429s from the same round trip counts once.
		expect(window.limit).toBe(19);
		expect(window.inSlowStart).toBe(false);
		now += 5_000;
		window.leave('congestion', 100);
		expect(window.limit).toBe(9);
		// Additive increase: 1/window per answer, so one round trip of answers adds about one.
		// 9.5 after the halving: four answers bring it to about 9.92, the fifth past 10.
		for (let i = 0; i < 4; i++) okWhenFull(window, 100);
		expect(window.limit).toBe(9);
		okWhenFull(window, 100);
		expect(window.limit).toBe(10);
	});

	it('grows only while it is full: a trickle of requests says nothing about what the server takes', () => {
		const window = new ConcurrencyWindow(() => 0);
		for (let i = 0; i < 100; i++) {
			void window.enter();
			window.leave('ok');
		}
		expect(window.limit).toBe(INITIAL_WINDOW);
		okWhenFull(window);
		expect(window.limit).toBe(INITIAL_WINDOW + SLOW_START_GAIN);
	});

	it('never goes below one, and neutral endings change nothing', () => {
		let now = 0;
		const window = new ConcurrencyWindow(() => now);
		for (let i = 0; i < 20; i++) {
			now += 60_000;
			window.leave('congestion');
		}
		expect(window.limit).toBe(1);
		window.leave('neutral');
		expect(window.limit).toBe(1);
	});

	it('admits waiters first come, first served, and drops a waiter whose signal aborts', async () => {
		const window = new ConcurrencyWindow(() => 0);
		for (let i = 0; i < INITIAL_WINDOW; i++) await window.enter();
		const controller = new AbortController();
		const first = track(window.enter(controller.signal));
		const second = track(window.enter());
		controller.abort();
		await tick();
		expect(first.status).toBe('rejected');
		expect(first.error).toBeInstanceOf(CancelledError);
		window.leave('neutral');
		await tick();
		expect(second.status).toBe('resolved');
	});
});

describe('Semaphore', () => {
	it('never lets more than its limit in', async () => {
		const pool = new Semaphore(() => 2);
		const entries = [0, 1, 2, 3].map(() => track(pool.enter()));
		await tick();
		expect(entries.map((e) => e.status)).toEqual(['resolved', 'resolved', 'pending', 'pending']);
		pool.leave();
		await tick();
		expect(entries.map((e) => e.status)).toEqual(['resolved', 'resolved', 'resolved', 'pending']);
		expect(pool.active).toBe(2);
	});
});
