import { CancelledError, monotonicNow } from '../sleep';

/** Requests in flight on one key when nothing is known yet: a burst no provider tier refuses. */
export const INITIAL_WINDOW = 20;
/** Requests each answer adds to a full window in slow start: tenfold per round trip (20, 200, 1,000). */
export const SLOW_START_GAIN = 9;
/** A key's window never grows beyond this (it is a per-process count of open requests). */
export const MAX_WINDOW = 1000;

export type RequestVerdict = 'ok' | 'congestion' | 'neutral';

/**
 * A counting semaphore whose limit may change (first come, first served): a node run's
 * Concurrency, and each key's window.
 */
export class Semaphore {
	private inFlight = 0;
	private readonly waiters: Array<{ resolve: () => void; signal?: AbortSignal; onAbort: () => void }> = [];

	constructor(private readonly limit: () => number) {}

	get active(): number {
		return this.inFlight;
	}

	enter(signal?: AbortSignal): Promise<void> {
		if (signal?.aborted) return Promise.reject(new CancelledError());
		if (this.waiters.length === 0 && this.inFlight < this.limit()) {
			this.inFlight++;
			return Promise.resolve();
		}
		return new Promise<void>((resolve, reject) => {
			const waiter = {
				resolve,
				signal,
				onAbort: () => {
					const at = this.waiters.indexOf(waiter);
					if (at >= 0) this.waiters.splice(at, 1);
					reject(new CancelledError());
				},
			};
			signal?.addEventListener('abort', waiter.onAbort, { once: true });
			this.waiters.push(waiter);
		});
	}

	leave(): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
		this.admit();
	}

	/** Lets waiters in up to the limit (after a leave, or after the limit grew). */
	admit(): void {
		while (this.waiters.length > 0 && this.inFlight < this.limit()) {
			const waiter = this.waiters.shift() as (typeof this.waiters)[number];
			waiter.signal?.removeEventListener('abort', waiter.onAbort);
			this.inFlight++;
			waiter.resolve();
		}
	}
}

/**
 * How many requests may be in flight on one key in this process, found as TCP finds its window:
 * slow start (each answer on a full window adds nine requests, so the window grows tenfold per round
 * trip: where the key's limit is known the pace holds requests back anyway, and where it is not, an
 * endpoint that publishes no limit is usually one that queues rather than refuses) until the first
 * sign of congestion (a 429, a timeout, a 5xx, a dropped connection), then additive increase (about
 * one request per round trip) and multiplicative decrease (halve, at most once per round trip, so
 * that one burst of 429s counts once). The key is shared by every node and execution of the
 * process, so a burst of executions starts together inside one window instead of one each.
 */
export class ConcurrencyWindow {
	private size = INITIAL_WINDOW;
	private slowStart = true;
	private lastDecrease = -Infinity;
	private roundTripMs = 1000;
	private readonly slots = new Semaphore(() => this.limit);

	constructor(private readonly now: () => number = monotonicNow) {}

	get limit(): number {
		return Math.floor(this.size);
	}

	get active(): number {
		return this.slots.active;
	}

	get inSlowStart(): boolean {
		return this.slowStart;
	}

	enter(signal?: AbortSignal): Promise<void> {
		return this.slots.enter(signal);
	}

	/** One request ended: `ok` grows a full window, `congestion` shrinks it, `neutral` (a 400, an abort) neither. */
	leave(verdict: RequestVerdict, latencyMs?: number): void {
		if (latencyMs !== undefined && latencyMs > 0) this.roundTripMs = 0.8 * this.roundTripMs + 0.2 * latencyMs;
		// Only a full window learns it could be larger (as TCP grows cwnd only when cwnd-limited, RFC 7661):
		// the tail of a run, or a trickle of requests, says nothing about what the server takes.
		if (verdict === 'ok' && this.slots.active >= this.limit) {
			this.size = Math.min(MAX_WINDOW, this.slowStart ? this.size + SLOW_START_GAIN : this.size + 1 / this.size);
		} else if (verdict === 'congestion') {
			const now = this.now();
			if (now - this.lastDecrease >= this.roundTripMs) {
				this.size = Math.max(1, this.size / 2);
				this.lastDecrease = now;
			}
			this.slowStart = false;
		}
		this.slots.leave();
	}
}
