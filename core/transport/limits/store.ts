import type { RateLimitSnapshot } from '../rateLimitHeaders';
import { monotonicNow } from '../sleep';
import { closeFor, declareRequestLimit, markOf, newPacerState, observe, take, type PacerState, type TakeMark } from './pacer';

export interface TakeResult {
	/** 0: send now. Otherwise ask again after this long. */
	waitMs: number;
	/** This request is the one that finds out the key's limits for everyone (shared stores only). */
	probe?: boolean;
	/** Where the store's counts stood after this take (with a wait of 0), for observing its answer. */
	mark?: StoreMark;
}

/** A TakeMark and the store whose clock and counts it is on (a Redis store may fall back to its own). */
export interface StoreMark extends TakeMark {
	shared: boolean;
}

/**
 * Where a key's pacing state lives: in this process, or in Redis for every n8n process on the key.
 * A scope is '*' (the whole key) or a model, where the server's limits are per model.
 */
export interface PacingStore {
	take(scope: string, tokens: number, probeToken: string): Promise<TakeResult>;
	/** `mark`: the answered request's, from its take. */
	observe(scope: string, snapshot: RateLimitSnapshot, mark?: StoreMark): void;
	closeFor(scope: string, ms: number): void;
	declare(scope: string, requestsPerMinute: number): void;
	/** A probe that learned nothing (no answer): the next request may probe. */
	unprobe(scope: string, probeToken: string): void;
	/** For tests and diagnostics: the limits this store knows. */
	describe(scope: string): Promise<{ requestsPerMinute?: number; tokensPerMinute?: number; closedForMs: number }>;
}

/** The pacing state of the keys this process uses, in memory. */
export class LocalPacingStore implements PacingStore {
	private readonly states = new Map<string, PacerState>();

	constructor(private readonly now: () => number = monotonicNow) {}

	private state(scope: string): PacerState {
		let state = this.states.get(scope);
		if (!state) {
			state = newPacerState();
			this.states.set(scope, state);
		}
		return state;
	}

	/** Synchronous form, for the Redis store's fallback. */
	takeNow(scope: string, tokens: number): TakeResult {
		const state = this.state(scope);
		const now = this.now();
		const waitMs = take(state, tokens, now);
		return waitMs > 0 ? { waitMs } : { waitMs, mark: { ...markOf(state, now), shared: false } };
	}

	async take(scope: string, tokens: number): Promise<TakeResult> {
		return this.takeNow(scope, tokens);
	}

	observe(scope: string, snapshot: RateLimitSnapshot, mark?: StoreMark): void {
		// A mark of another store's counts says nothing about this one's.
		observe(this.state(scope), snapshot, this.now(), mark && !mark.shared ? mark : undefined);
	}

	closeFor(scope: string, ms: number): void {
		closeFor(this.state(scope), ms, this.now());
	}

	declare(scope: string, requestsPerMinute: number): void {
		declareRequestLimit(this.state(scope), requestsPerMinute, this.now());
	}

	unprobe(): void {
		// In one process the window, not a probe, holds the first burst.
	}

	async describe(scope: string): Promise<{ requestsPerMinute?: number; tokensPerMinute?: number; closedForMs: number }> {
		const state = this.state(scope);
		return {
			requestsPerMinute: state.requestRate === undefined ? undefined : state.requestRate * 60_000,
			tokensPerMinute: state.tokenRate === undefined ? undefined : state.tokenRate * 60_000,
			closedForMs: Math.max(0, state.closedUntil - this.now()),
		};
	}
}
