import type { RateLimitSnapshot } from '../rateLimitHeaders';

/**
 * The pacing arithmetic of one API key (or one key and model): a request bucket and a token bucket,
 * each refilled at the per-minute limit / 60 per second, because providers enforce a per-minute
 * limit over short windows (1,200 requests/min means 20 per second). Each holds half a second's
 * worth, not the second the server's bucket holds: requests sent evenly reach the server bunched
 * (network and event-loop jitter), and a full second's burst would meet a bucket already drained.
 * What the server says remains is taken less a reserve (a fifth of a second's worth): a key whose
 * server bucket was drained (a first burst, another process) would otherwise be paced at exactly
 * the server's rate with nothing to spare, and any jitter or clock step would meet a 429.
 * Plus a closure: a 429's wait, or "nothing remains until the reset", holds every request.
 *
 * `redisPacer.lua` is the same arithmetic for limits shared through Redis; keep the two in step
 * (test/unit/limits/pacer.test.ts runs the same cases through both).
 */
export interface PacerState {
	/** Requests per ms, once known. */
	requestRate?: number;
	requestCapacity: number;
	requestLevel: number;
	requestRefilledAt: number;
	/** Tokens per ms, once known. */
	tokenRate?: number;
	tokenCapacity: number;
	tokenLevel: number;
	tokenRefilledAt: number;
	closedUntil: number;
	/** The request limit came from the user, not the server. */
	declared: boolean;
	/** Some answer has been seen (with or without rate-limit headers). */
	learned: boolean;
}

export function newPacerState(): PacerState {
	return {
		requestCapacity: 1,
		requestLevel: 0,
		requestRefilledAt: 0,
		tokenCapacity: 1,
		tokenLevel: 0,
		tokenRefilledAt: 0,
		closedUntil: 0,
		declared: false,
		learned: false,
	};
}

const perMs = (perMinute: number) => perMinute / 60_000;
/** How many seconds of the rate a bucket holds (written into redisStore.ts's script, so both agree). */
export const BURST_SECONDS = 0.5;
const burstOf = (perMinute: number) => Math.max(1, (perMinute / 60) * BURST_SECONDS);
/** How many seconds of the rate are left in the server's bucket, below what it says remains (also in the script). */
export const RESERVE_SECONDS = 0.2;
/** `rate` per ms. */
const reserveOf = (rate: number) => rate * 1000 * RESERVE_SECONDS;
/** What the server says remains, less the reserve. */
const usable = (remaining: number, rate: number) => remaining - reserveOf(rate);

function refill(state: PacerState, now: number): void {
	if (state.requestRate !== undefined) {
		state.requestLevel = Math.min(state.requestCapacity, state.requestLevel + (now - state.requestRefilledAt) * state.requestRate);
		state.requestRefilledAt = now;
	}
	if (state.tokenRate !== undefined) {
		state.tokenLevel = Math.min(state.tokenCapacity, state.tokenLevel + (now - state.tokenRefilledAt) * state.tokenRate);
		state.tokenRefilledAt = now;
	}
}

/**
 * The level a bucket starts at when its limit is first learned: what the server said remains, less
 * what is already on its way to it. Requests sent before the limit was known were counted nowhere,
 * and those still unanswered may not have reached the server when it wrote `remaining`; they are
 * taken as uncounted (the floor of 0 bounds that caution to one bucket's wait).
 */
function startingLevel(capacity: number, rate: number, remaining: number | undefined, unanswered: number, wasKnown: boolean): number {
	const level = remaining === undefined ? capacity : Math.min(capacity, usable(remaining, rate));
	return wasKnown || level <= 0 ? level : Math.max(0, level - unanswered);
}

function setRequestLimit(state: PacerState, perMinute: number, remaining: number | undefined, now: number, unanswered = 0): void {
	const wasKnown = state.requestRate !== undefined;
	state.requestRate = perMs(perMinute);
	state.requestCapacity = burstOf(perMinute);
	state.requestLevel = startingLevel(state.requestCapacity, state.requestRate, remaining, unanswered, wasKnown);
	state.requestRefilledAt = now;
}

function setTokenLimit(state: PacerState, perMinute: number, remaining: number | undefined, now: number, unansweredTokens = 0): void {
	const wasKnown = state.tokenRate !== undefined;
	state.tokenRate = perMs(perMinute);
	state.tokenCapacity = burstOf(perMinute);
	state.tokenLevel = startingLevel(state.tokenCapacity, state.tokenRate, remaining, unansweredTokens, wasKnown);
	state.tokenRefilledAt = now;
}

/** A request limit the user gave: it wins over what the headers say. */
export function declareRequestLimit(state: PacerState, perMinute: number, now: number): void {
	if (state.declared && state.requestRate === perMs(perMinute)) return;
	setRequestLimit(state, perMinute, undefined, now);
	state.declared = true;
}

export function closeFor(state: PacerState, ms: number, now: number): void {
	if (ms > 0) state.closedUntil = Math.max(state.closedUntil, now + ms);
}

/** What this process has sent on the scope and not yet had answered (other than the answer observed). */
export interface Unanswered {
	requests: number;
	tokens: number;
}

/**
 * Learns from the rate-limit headers of any answer. A limit the server states (again) sets the
 * rate; the remaining counts keep the buckets in step with the server's, never above it. Without a
 * known rate, "nothing remains" closes until the reset.
 */
export function observe(state: PacerState, snapshot: RateLimitSnapshot, now: number, unanswered: Unanswered = { requests: 0, tokens: 0 }): void {
	state.learned = true;
	refill(state, now);
	const limitRequests = snapshot.limitRequests !== undefined && snapshot.limitRequests > 0 ? snapshot.limitRequests : undefined;
	if (limitRequests !== undefined && !state.declared && state.requestRate !== perMs(limitRequests)) {
		setRequestLimit(state, limitRequests, snapshot.remainingRequests, now, unanswered.requests);
	} else if (snapshot.remainingRequests !== undefined) {
		if (state.requestRate !== undefined) state.requestLevel = Math.min(state.requestLevel, usable(snapshot.remainingRequests, state.requestRate));
		else if (snapshot.remainingRequests <= 0) closeFor(state, snapshot.resetRequestsMs ?? 0, now);
	}
	const limitTokens = snapshot.limitTokens !== undefined && snapshot.limitTokens > 0 ? snapshot.limitTokens : undefined;
	if (limitTokens !== undefined && state.tokenRate !== perMs(limitTokens)) {
		setTokenLimit(state, limitTokens, snapshot.remainingTokens, now, unanswered.tokens);
	} else if (snapshot.remainingTokens !== undefined) {
		if (state.tokenRate !== undefined) state.tokenLevel = Math.min(state.tokenLevel, usable(snapshot.remainingTokens, state.tokenRate));
		else if (snapshot.remainingTokens <= 0) closeFor(state, snapshot.resetTokensMs ?? 0, now);
	}
}

/**
 * Counts one request of `tokens` estimated tokens and returns 0 when it may be sent now; otherwise
 * counts nothing and returns how long to wait before asking again. A request costing more tokens
 * than the bucket holds waits for a full bucket and leaves it in debt, as the server does.
 */
export function take(state: PacerState, tokens: number, now: number): number {
	if (now < state.closedUntil) return state.closedUntil - now;
	refill(state, now);
	let waitMs = 0;
	if (state.requestRate !== undefined && state.requestLevel < 1) {
		waitMs = Math.ceil((1 - state.requestLevel) / state.requestRate);
	}
	if (state.tokenRate !== undefined && tokens > 0) {
		const needed = Math.min(tokens, state.tokenCapacity);
		if (state.tokenLevel < needed) waitMs = Math.max(waitMs, Math.ceil((needed - state.tokenLevel) / state.tokenRate));
	}
	if (waitMs > 0) return waitMs;
	if (state.requestRate !== undefined) state.requestLevel -= 1;
	if (state.tokenRate !== undefined) state.tokenLevel -= tokens;
	return 0;
}
