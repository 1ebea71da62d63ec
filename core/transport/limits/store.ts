import type { RateLimitSnapshot } from '../rateLimitHeaders';
import { monotonicNow } from '../sleep';
import { closeFor, declareRequestLimit, newPacerState, observe, take, type PacerState, type Unanswered } from './pacer';

export interface TakeResult {
	/** 0: send now. Otherwise ask again after this long. */
	waitMs: number;
	/** This request is the one that finds out the key's limits for everyone (shared stores only). */
	probe?: boolean;
}

/**
 * Where a key's pacing state lives: in this process, or in Redis for every n8n process on the key.
 * A scope is '*' (the whole key) or a model, where the server's limits are per model.
 */
export interface PacingStore {
	take(scope: string, tokens: number, probeToken: string): Promise<TakeResult>;
	/** `unanswered`: what this process has sent on the scope that is still unanswered. */
	observe(scope: string, snapshot: RateLimitSnapshot, unanswered?: Unanswered): void;
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
		return { waitMs: take(this.state(scope), tokens, this.now()) };
	}

	async take(scope: string, tokens: number): Promise<TakeResult> {
		return this.takeNow(scope, tokens);
	}

	observe(scope: string, snapshot: RateLimitSnapshot, unanswered?: Unanswered): void {
		observe(this.state(scope), snapshot, this.now(), unanswered);
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
