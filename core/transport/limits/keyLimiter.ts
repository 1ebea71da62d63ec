import type { RateLimitSnapshot } from '../rateLimitHeaders';
import { monotonicNow, sleep } from '../sleep';
import type { LimiterLog } from './redisStore';
import type { PacingStore, StoreMark } from './store';
import { ConcurrencyWindow, type RequestVerdict } from './window';

/** What a request will cost, estimated before it is sent. */
export interface RequestDemand {
	model?: string;
	/** Prompt tokens, estimated from the text (characters / 4, OpenAI's rule of thumb). */
	promptTokens: number;
	/** Answers asked for (`n`); 0 for requests that generate nothing (files, jobs, embeddings). */
	choices: number;
	/** `max_completion_tokens` (or `max_tokens`) when the request sets it. */
	maxCompletionTokens?: number;
}

export const NO_DEMAND: RequestDemand = { promptTokens: 0, choices: 0 };

export interface Permit {
	/** The request ended: how it went (for the window) and how long it took. */
	release(verdict: RequestVerdict, latencyMs?: number): void;
	/** Where the key's counts stood when this request was let go (KeyLimiter.observe reads it). */
	readonly mark?: PermitMark;
}

/** A take's mark and the scope it was taken on. */
export interface PermitMark {
	scope: string;
	store: StoreMark;
}

let probeCounter = 0;

/** A wait of the key under which a request is held rather than failed (README: 2 minutes). */
export const DEFAULT_MAX_WAIT_MS = 120_000;
/** Closures at least this long are said in n8n's log (shorter ones are the ordinary pace). */
const LOGGED_WAIT_MS = 1_000;
/** A per-minute limit resets within a minute: a longer reset with nothing left is a quota (per hour, per day). */
const PER_MINUTE_RESET_MS = 60_000;

/** "41 s", "3 min 5 s", "1 h 0 min". */
export function formatWait(ms: number): string {
	const seconds = Math.ceil(ms / 1000);
	if (seconds < 60) return `${seconds} s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
	return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The key is held for longer than the caller will wait: the request fails at once, saying why. */
export class RateLimitWaitError extends Error {
	constructor(
		readonly waitMs: number,
		readonly maxWaitMs: number,
		why: string | undefined,
	) {
		super(
			`the server's rate limit holds every request on this key for another ${formatWait(waitMs)}` +
				`${why ? ` (${why})` : ''}, longer than the ${formatWait(maxWaitMs)} a request may wait (Max Rate-Limit Wait); try again after the reset`,
		);
		this.name = 'RateLimitWaitError';
	}
}

/**
 * Everything that limits one API key in this process: the key's pacing state (requests and tokens
 * per minute, closures), in this process or shared through Redis, and the key's concurrency window.
 * Every node and execution of the process that uses the key goes through the same KeyLimiter, so
 * what one request learns from the server's headers or a 429 serves every later one.
 *
 * Limits are per key until the server shows they are per model: when answers for two models state
 * different limits, each model gets a pacing state of its own (OpenAI's limits are per model).
 */
export class KeyLimiter {
	readonly window: ConcurrencyWindow;
	private readonly statedLimits = new Map<string, number>();
	private perModel = false;
	private declared = false;
	/** Actual prompt tokens over estimated ones, learned from answers' usage. */
	private promptRatio = 1;
	/** Completion tokens per answer, learned from usage: the cost of a request that sets no maximum. */
	private completionPerChoice = 0;
	private usageSamples = 0;
	/** Why the key was last closed, and until when (this process's own knowledge, for messages). */
	private closure: { until: number; why: string } | undefined;

	constructor(
		readonly id: string,
		private readonly store: PacingStore,
		private readonly now: () => number = monotonicNow,
		private readonly log: () => LimiterLog | undefined = () => undefined,
		/** Names the key in log lines without revealing it: the endpoint's host and the fingerprint's start. */
		readonly label = id.slice(0, 8),
	) {
		this.window = new ConcurrencyWindow(now);
	}

	private scopeOf(model: string | undefined): string {
		return this.perModel && model && !this.declared ? `model:${model}` : '*';
	}

	/** The tokens a request is paced for: its prompt (calibrated) and its answers. */
	tokensFor(demand: RequestDemand): number {
		if (demand.promptTokens <= 0 && demand.choices <= 0) return 0;
		const perChoice = demand.maxCompletionTokens ?? this.completionPerChoice;
		return Math.ceil(demand.promptTokens * this.promptRatio + demand.choices * perChoice);
	}

	/** Resolves once the request may be sent: a place in the window, then the pace of the key. */
	async acquire(demand: RequestDemand, signal: AbortSignal, maxWaitMs = DEFAULT_MAX_WAIT_MS): Promise<Permit> {
		await this.window.enter(signal);
		const scope = this.scopeOf(demand.model);
		const probeToken = `${process.pid}-${++probeCounter}`;
		let probing = false;
		let mark: PermitMark | undefined;
		const tokens = this.tokensFor(demand);
		try {
			for (;;) {
				const { waitMs, probe, mark: storeMark } = await this.store.take(scope, tokens, probeToken);
				if (waitMs <= 0) {
					probing = probe === true;
					if (storeMark) mark = { scope, store: storeMark };
					break;
				}
				if (waitMs > maxWaitMs) throw new RateLimitWaitError(waitMs, maxWaitMs, this.closureReason());
				await sleep(waitMs, signal);
			}
		} catch (error) {
			this.window.leave('neutral');
			throw error;
		}
		let released = false;
		return {
			mark,
			release: (verdict, latencyMs) => {
				if (released) return;
				released = true;
				// A probe that got no answer tells nobody anything: let the next request probe.
				if (probing && verdict !== 'ok') this.store.unprobe(scope, probeToken);
				this.window.leave(verdict, latencyMs);
			},
		};
	}

	/**
	 * What an answer's rate-limit headers say (every answer, even one without them). `permit`: the
	 * answered request's, so that its remaining counts are read against what was sent after it.
	 */
	observe(snapshot: RateLimitSnapshot, model?: string, permit?: Permit): void {
		// Nothing left and a reset beyond a minute: an hourly or daily quota, whatever the per-minute pace says.
		for (const [remaining, reset, kind] of [
			[snapshot.remainingRequests, snapshot.resetRequestsMs, 'requests'],
			[snapshot.remainingTokens, snapshot.resetTokensMs, 'tokens'],
		] as const) {
			if (remaining !== undefined && remaining <= 0 && reset !== undefined && reset > 0) {
				const why = `the server said no ${kind} remain (x-ratelimit-remaining-${kind}: 0) until its reset in ${formatWait(reset)}`;
				if (reset > PER_MINUTE_RESET_MS) this.closeFor(reset, model, why);
				else this.noteClosure(reset, why, false);
			}
		}
		if (model && snapshot.limitRequests !== undefined && snapshot.limitRequests > 0) {
			this.statedLimits.set(model, snapshot.limitRequests);
			if (!this.perModel && new Set(this.statedLimits.values()).size > 1) this.perModel = true;
		}
		const scope = this.scopeOf(model);
		// A mark of another scope (the key turned out to be limited per model meanwhile) counts other takes.
		this.store.observe(scope, snapshot, permit?.mark?.scope === scope ? permit.mark.store : undefined);
	}

	/** The server asked everyone to wait (a 429's retry-after, or a short pause after a bare 429). */
	closeFor(ms: number, model?: string, why?: string): void {
		this.store.closeFor(this.scopeOf(model), ms);
		if (why) this.noteClosure(ms, why);
	}

	/** Remembers why the key waits; `logged`: the key is closed for it (not only paced). */
	private noteClosure(ms: number, why: string, logged = true): void {
		const until = this.now() + ms;
		if (this.closure && this.closure.until >= until) return;
		this.closure = { until, why };
		// A wait the user would otherwise not see (the node just seems slow): once per closure, at info level.
		if (logged && ms >= LOGGED_WAIT_MS) this.log()?.('info', `Rate limit on ${this.label}: the server holds every request on the key for ${formatWait(ms)}, because ${why}`);
	}

	private closureReason(): string | undefined {
		return this.closure && this.closure.until > this.now() ? this.closure.why : undefined;
	}

	/** A requests-per-minute limit the user gave for the key: it wins over the headers, for the whole key. */
	declare(requestsPerMinute: number): void {
		this.declared = true;
		this.store.declare('*', requestsPerMinute);
	}

	/** Corrects the estimates from what the server counted. */
	learnUsage(demand: RequestDemand, usage: { promptTokens: number; completionTokens: number }): void {
		// The first answer sets the estimates; later ones move them by a fifth (a moving average).
		const weight = this.usageSamples === 0 ? 1 : 0.2;
		this.usageSamples++;
		if (demand.promptTokens > 0 && usage.promptTokens > 0) {
			const ratio = Math.min(4, Math.max(0.25, usage.promptTokens / demand.promptTokens));
			this.promptRatio += weight * (ratio - this.promptRatio);
		}
		if (demand.choices > 0 && usage.completionTokens >= 0) {
			this.completionPerChoice += weight * (usage.completionTokens / demand.choices - this.completionPerChoice);
		}
	}

	describe(model?: string): Promise<{ requestsPerMinute?: number; tokensPerMinute?: number; closedForMs: number }> {
		return this.store.describe(this.scopeOf(model));
	}
}
