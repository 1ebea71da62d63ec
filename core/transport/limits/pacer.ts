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
 * An answer's remaining count is as old as the answered request: the requests let go since then
 * may not have reached the server when it counted, so those beyond what the server refilled in the
 * meantime (a burst still on its way) are taken off too. Every take is counted (`requestsTaken`,
 * `tokensTaken`, even before any limit is known), and each request carries the count and time of
 * its own take (a TakeMark) to the answer that reports on it.
 * Plus a closure: a 429's wait, or "nothing remains until the reset", holds every request.
 *
 * `redisPacer.lua` is the same arithmetic for limits shared through Redis; keep the two in step
 * (test/unit/limits/redisStore.test.ts runs the same operations through both, marks included).
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
	/** Requests let go on the scope, ever (with or without a known limit). */
	requestsTaken: number;
	/** Tokens those requests were paced for. */
	tokensTaken: number;
	/** `requestsTaken` when the request limit was (last) set from an answer: answers to requests let go before then set the level. */
	requestsTakenAtRequestLimit: number;
	/** The same, for the token limit, and `tokensTaken` then. */
	requestsTakenAtTokenLimit: number;
	tokensTakenAtTokenLimit: number;
}

/** Where the counts stood when a request was let go: what its answer's remaining counts may not include. */
export interface TakeMark {
	/** `requestsTaken` just after this request's take. */
	requests: number;
	tokens: number;
	/** When it was taken, on the store's clock. */
	at: number;
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
		requestsTaken: 0,
		tokensTaken: 0,
		requestsTakenAtRequestLimit: 0,
		requestsTakenAtTokenLimit: 0,
		tokensTakenAtTokenLimit: 0,
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
/**
 * What the server says remains, less the reserve and less what was let go after the answered
 * request beyond the server's refill since (never more than the remaining count less the reserve).
 */
const usable = (remaining: number, rate: number, since: Since) => remaining - reserveOf(rate) - Math.max(0, since.taken - rate * since.ms);

/** What was let go on the scope after the answered request was, and how long ago that was. */
interface Since {
	taken: number;
	ms: number;
}

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
 * the reserve and what may not have reached it (usable). No floor: a burst let go before anything
 * was known and still on its way must be waited out, or the key is paced with nothing to spare.
 */
function startingLevel(capacity: number, rate: number, remaining: number | undefined, since: Since): number {
	return remaining === undefined ? capacity : Math.min(capacity, usable(remaining, rate, since));
}

const NOTHING_SINCE: Since = { taken: 0, ms: 0 };

function setRequestLimit(state: PacerState, perMinute: number, remaining: number | undefined, now: number, since = NOTHING_SINCE): void {
	state.requestRate = perMs(perMinute);
	state.requestCapacity = burstOf(perMinute);
	state.requestLevel = startingLevel(state.requestCapacity, state.requestRate, remaining, since);
	state.requestRefilledAt = now;
	state.requestsTakenAtRequestLimit = state.requestsTaken;
}

function setTokenLimit(state: PacerState, perMinute: number, remaining: number | undefined, now: number, since = NOTHING_SINCE): void {
	state.tokenRate = perMs(perMinute);
	state.tokenCapacity = burstOf(perMinute);
	state.tokenLevel = startingLevel(state.tokenCapacity, state.tokenRate, remaining, since);
	state.tokenRefilledAt = now;
	state.requestsTakenAtTokenLimit = state.requestsTaken;
	state.tokensTakenAtTokenLimit = state.tokensTaken;
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

/** Requests (or tokens) of the first burst let go after the answered one, and what was let go after the limit was set. */
interface FirstBurst {
	taken: number;
	sinceLimit: number;
}

/**
 * The level after an answer's remaining count: lowered to what it says is usable, never raised. But
 * the answers to the burst let go before the limit was known each set the level: the first of them
 * had to count every later request of the burst as unseen by the server (most had been seen: a pause
 * of up to a window's worth), each later one counts fewer (the last, none). What was let go after the
 * limit was set was paced by this bucket, and counts in full (the server's refill meanwhile is what
 * paced it, and a bucket that was full again would have refilled less).
 */
function levelAfterAnswer(level: number, capacity: number, rate: number, remaining: number, since: Since, firstBurst: FirstBurst | undefined): number {
	if (firstBurst) return Math.min(capacity, usable(remaining, rate, { taken: firstBurst.taken, ms: since.ms }) - firstBurst.sinceLimit);
	return Math.min(level, usable(remaining, rate, since));
}

/**
 * Learns from the rate-limit headers of any answer. A limit the server states (again) sets the
 * rate; the remaining counts keep the buckets in step with the server's, never above it. Without a
 * known rate, "nothing remains" closes until the reset. `mark`: the answered request's take (none
 * for an answer whose request this store did not let go).
 */
export function observe(state: PacerState, snapshot: RateLimitSnapshot, now: number, mark?: TakeMark): void {
	state.learned = true;
	refill(state, now);
	const ms = mark ? Math.max(0, now - mark.at) : 0;
	const requestsSince: Since = mark ? { taken: Math.max(0, state.requestsTaken - mark.requests), ms } : NOTHING_SINCE;
	const tokensSince: Since = mark ? { taken: Math.max(0, state.tokensTaken - mark.tokens), ms } : NOTHING_SINCE;
	const limitRequests = snapshot.limitRequests !== undefined && snapshot.limitRequests > 0 ? snapshot.limitRequests : undefined;
	if (limitRequests !== undefined && !state.declared && state.requestRate !== perMs(limitRequests)) {
		setRequestLimit(state, limitRequests, snapshot.remainingRequests, now, requestsSince);
	} else if (snapshot.remainingRequests !== undefined) {
		if (state.requestRate === undefined) {
			if (snapshot.remainingRequests <= 0) closeFor(state, snapshot.resetRequestsMs ?? 0, now);
		} else {
			const firstBurst =
				mark && !state.declared && mark.requests <= state.requestsTakenAtRequestLimit
					? { taken: state.requestsTakenAtRequestLimit - mark.requests, sinceLimit: state.requestsTaken - state.requestsTakenAtRequestLimit }
					: undefined;
			state.requestLevel = levelAfterAnswer(state.requestLevel, state.requestCapacity, state.requestRate, snapshot.remainingRequests, requestsSince, firstBurst);
		}
	}
	const limitTokens = snapshot.limitTokens !== undefined && snapshot.limitTokens > 0 ? snapshot.limitTokens : undefined;
	if (limitTokens !== undefined && state.tokenRate !== perMs(limitTokens)) {
		setTokenLimit(state, limitTokens, snapshot.remainingTokens, now, tokensSince);
	} else if (snapshot.remainingTokens !== undefined) {
		if (state.tokenRate === undefined) {
			if (snapshot.remainingTokens <= 0) closeFor(state, snapshot.resetTokensMs ?? 0, now);
		} else {
			const firstBurst =
				mark && mark.requests <= state.requestsTakenAtTokenLimit
					? { taken: state.tokensTakenAtTokenLimit - mark.tokens, sinceLimit: state.tokensTaken - state.tokensTakenAtTokenLimit }
					: undefined;
			state.tokenLevel = levelAfterAnswer(state.tokenLevel, state.tokenCapacity, state.tokenRate, snapshot.remainingTokens, tokensSince, firstBurst);
		}
	}
}

/**
 * Counts one request of `tokens` estimated tokens and returns 0 when it may be sent now; otherwise
 * counts nothing and returns how long to wait before asking again (after a 0, markOf tells where the
 * counts stood). A request costing more tokens than the bucket holds waits for a full bucket and
 * leaves it in debt, as the server does.
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
	state.requestsTaken += 1;
	state.tokensTaken += tokens;
	return 0;
}

/** The mark of the request just taken. */
export function markOf(state: PacerState, now: number): TakeMark {
	return { requests: state.requestsTaken, tokens: state.tokensTaken, at: now };
}
