import type { RateLimitSnapshot } from '../rateLimitHeaders';
import { type KeyLimiter, type Permit, type RequestDemand } from './keyLimiter';
import { Semaphore, type RequestVerdict } from './window';

/**
 * What one node run's requests pass through: its own Concurrency (the most requests it has in
 * flight, whatever they are: generations, judges, critiques, embeddings), then the key's limiter,
 * shared with every other node and execution on the key.
 */
export interface RequestLane {
	/** Rejects with RateLimitWaitError when the key is held for longer than `maxWaitMs`. */
	acquire(demand: RequestDemand, signal: AbortSignal, maxWaitMs?: number): Promise<Permit>;
	/** `permit`: the answered request's (its take's mark), when there is one. */
	observe(snapshot: RateLimitSnapshot, model?: string, permit?: Permit): void;
	closeFor(ms: number, model?: string, why?: string): void;
	learnUsage(demand: RequestDemand, usage: { promptTokens: number; completionTokens: number }): void;
}

export function createLane(limiter: KeyLimiter, concurrency: number): RequestLane {
	const pool = new Semaphore(() => concurrency);
	return {
		async acquire(demand, signal, maxWaitMs) {
			await pool.enter(signal);
			try {
				const permit = await limiter.acquire(demand, signal, maxWaitMs);
				return {
					mark: permit.mark,
					release(verdict: RequestVerdict, latencyMs?: number) {
						permit.release(verdict, latencyMs);
						pool.leave();
					},
				};
			} catch (error) {
				pool.leave();
				throw error;
			}
		},
		observe: (snapshot, model, permit) => limiter.observe(snapshot, model, permit),
		closeFor: (ms, model, why) => limiter.closeFor(ms, model, why),
		learnUsage: (demand, usage) => limiter.learnUsage(demand, usage),
	};
}

/** For work that sends nothing itself (an item whose requests each take a lane of their own). */
export const UNLIMITED_LANE: RequestLane = {
	acquire: async () => ({ release: () => undefined }),
	observe: () => undefined,
	closeFor: () => undefined,
	learnUsage: () => undefined,
};

