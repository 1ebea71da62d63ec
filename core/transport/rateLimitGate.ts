import type { RateLimitSnapshot } from './rateLimitHeaders';
import { abortable, sleep } from './sleep';

export interface RateLimitGateOptions {
	/** A limit the user knows in advance; otherwise it is learned from `x-ratelimit-limit-requests`. */
	requestsPerMinute?: number;
	now?: () => number;
}

/**
 * Paces requests for one API key, shared by every concurrent worker of an execution.
 * Providers enforce per-minute limits over short windows (1,200/min means 20 per second), so the
 * gate is a token bucket refilled at limit/60 per second holding at most one second's worth.
 * A 429's `retry-after`, or a response saying nothing remains, closes the gate for everyone:
 * retrying alone would only earn more 429s.
 */
export class RateLimitGate {
	private readonly now: () => number;
	private ratePerMs: number | undefined;
	private capacity = 1;
	private tokens = 0;
	private lastRefill = 0;
	private closedUntil = 0;

	constructor(options: RateLimitGateOptions = {}) {
		this.now = options.now ?? Date.now;
		if (options.requestsPerMinute && options.requestsPerMinute > 0) {
			this.setLimit(options.requestsPerMinute, undefined);
		}
	}

	get requestsPerMinute(): number | undefined {
		return this.ratePerMs === undefined ? undefined : this.ratePerMs * 60_000;
	}

	private setLimit(requestsPerMinute: number, remaining: number | undefined): void {
		this.ratePerMs = requestsPerMinute / 60_000;
		this.capacity = Math.max(1, requestsPerMinute / 60);
		this.tokens = Math.min(this.capacity, remaining ?? this.capacity);
		this.lastRefill = this.now();
	}

	/**
	 * Learns from the rate-limit headers of any response, successful or not. Once the rate is known
	 * the bucket follows the server's count down; `x-ratelimit-reset-*` says when the server's
	 * window is full again, which is far longer than the wait for the next request, so it only
	 * closes the gate while the rate is unknown.
	 */
	observe(snapshot: RateLimitSnapshot): void {
		if (this.ratePerMs === undefined && snapshot.limitRequests && snapshot.limitRequests > 0) {
			this.setLimit(snapshot.limitRequests, snapshot.remainingRequests);
		}
		if (snapshot.remainingRequests !== undefined) {
			if (this.ratePerMs !== undefined) {
				this.refill(this.now());
				this.tokens = Math.min(this.tokens, snapshot.remainingRequests);
			} else if (snapshot.remainingRequests <= 0) {
				this.closeFor(snapshot.resetRequestsMs ?? 0);
			}
		}
		if (snapshot.remainingTokens !== undefined && snapshot.remainingTokens <= 0) {
			this.closeFor(snapshot.resetTokensMs ?? 0);
		}
	}

	closeFor(ms: number): void {
		if (ms > 0) this.closedUntil = Math.max(this.closedUntil, this.now() + ms);
	}

	private refill(now: number): void {
		if (this.ratePerMs === undefined) return;
		this.tokens = Math.min(this.capacity, this.tokens + (now - this.lastRefill) * this.ratePerMs);
		this.lastRefill = now;
	}

	/** Resolves when one request may be sent; rejects at once when the signal aborts. */
	async acquire(signal?: AbortSignal): Promise<void> {
		for (;;) {
			abortable(signal);
			const now = this.now();
			if (now < this.closedUntil) {
				await sleep(this.closedUntil - now, signal);
				continue;
			}
			if (this.ratePerMs === undefined) return;
			this.refill(now);
			if (this.tokens >= 1) {
				this.tokens -= 1;
				return;
			}
			await sleep(Math.ceil((1 - this.tokens) / this.ratePerMs), signal);
		}
	}
}
