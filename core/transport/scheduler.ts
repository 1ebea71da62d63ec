import { setMaxListeners } from 'node:events';
import { DEFAULT_MAX_WAIT_MS, NO_DEMAND, RateLimitWaitError, type Permit, type RequestDemand } from './limits/keyLimiter';
import { UNLIMITED_LANE, type RequestLane } from './limits/lane';
import type { HeaderSource } from './rateLimitHeaders';
import { readRateLimitHeaders } from './rateLimitHeaders';
import { backoffDelayMs, classifyFailure, DEFAULT_BACKOFF, type BackoffOptions, type FailureInfo } from './retryPolicy';
import { abortable, CancelledError, sleep } from './sleep';

export interface AttemptContext {
	/** Aborts when the execution is cancelled; pass it to the request. */
	signal: AbortSignal;
	/** 1 for the first try. */
	attempt: number;
	/** Feeds a successful response's headers to the key's limiter. */
	observeHeaders(headers: HeaderSource): void;
	/** Feeds an answer's token usage to the key's limiter, which corrects its estimates with it. */
	observeUsage(usage: { promptTokens: number; completionTokens: number }): void;
}

export interface RetrySettings {
	/** Retries after the first try; 0 means one try only. */
	maxRetries: number;
	backoff?: BackoffOptions;
	/** A server asking for a longer wait than this fails the item instead (e.g. a daily quota). */
	maxRetryAfterMs?: number;
	random?: () => number;
	classify?: (error: unknown) => FailureInfo;
	onRetry?: (event: RetryEvent) => void;
}

export interface ScheduleOptions extends RetrySettings {
	/** Tasks run at once. Requests in flight are capped by the lane, not by this. */
	concurrency: number;
	signal?: AbortSignal;
	/** What each task's request passes through; without one, the tasks send nothing themselves. */
	lane?: RequestLane;
	/** What an item's request will cost (read after `prepare`). */
	demandOf?: (index: number) => RequestDemand;
	/** Stop everything at the first item that fails for good, and reject with ItemFailedError. */
	failFast?: boolean;
	/**
	 * Reads an item's input before its first attempt. Items are prepared ahead of the workers, one per
	 * turn of the event loop, so the reading fills the time spent waiting on the network instead of
	 * delaying the next request; a worker that gets ahead prepares its item itself. An error thrown
	 * here is the item's failure (0 attempts), never retried.
	 */
	prepare?: (index: number) => void;
}

/** How far ahead of the workers items are prepared, in multiples of the concurrency. */
const PREPARE_AHEAD = 2;

export class ItemFailedError extends Error {
	constructor(
		readonly index: number,
		readonly cause: unknown,
		readonly attempts: number,
	) {
		super(cause instanceof Error ? cause.message : String(cause));
		this.name = 'ItemFailedError';
	}
}

export interface RetryEvent {
	index: number;
	attempt: number;
	delayMs: number;
	status?: number;
}

export type Outcome<T> =
	| { ok: true; value: T; attempts: number }
	| { ok: false; error: unknown; attempts: number };

/** A request that failed for good inside a larger task, with how many attempts it took. */
export class ModelRequestError extends Error {
	constructor(
		readonly cause: unknown,
		readonly attempts: number,
	) {
		super(cause instanceof Error ? cause.message : String(cause));
		this.name = 'ModelRequestError';
	}
}

/**
 * Runs one task until it succeeds, fails for good or the signal aborts (CancelledError). Before every
 * attempt it waits for the lane (the node run's Concurrency, then the key's window and pace), and
 * tells the key's limiter what the server said: headers, usage, and whether the attempt was a sign
 * of congestion (a 429, a 5xx, a timeout or a dropped connection).
 */
export async function withRetries<T>(
	task: (context: AttemptContext) => Promise<T>,
	lane: RequestLane,
	signal: AbortSignal,
	settings: RetrySettings,
	index = 0,
	demand: RequestDemand = NO_DEMAND,
): Promise<Outcome<T>> {
	const classify = settings.classify ?? classifyFailure;
	const maxRetryAfterMs = settings.maxRetryAfterMs ?? DEFAULT_MAX_WAIT_MS;
	for (let attempt = 1; ; attempt++) {
		abortable(signal);
		let permit: Permit;
		try {
			permit = await lane.acquire(demand, signal, maxRetryAfterMs);
		} catch (caught) {
			// The key is held past the cap (an hourly quota, say): fail now, saying why, rather than wait in silence.
			if (caught instanceof RateLimitWaitError) return { ok: false, error: caught, attempts: attempt - 1 };
			throw caught;
		}
		// The run may have stopped while this request waited for its place (a fail-fast abort while the
		// key's pace was being read): an abort listener added now would never fire, so the request
		// would leave after the node returned.
		if (signal.aborted) {
			permit.release('neutral');
			throw new CancelledError();
		}
		let observed = false;
		const observeHeaders = (headers: HeaderSource) => {
			observed = true;
			lane.observe(readRateLimitHeaders(headers), demand.model, permit);
		};
		const observeUsage = (usage: { promptTokens: number; completionTokens: number }) => lane.learnUsage(demand, usage);
		// Each attempt gets a signal of its own: a request's abort listener must not stay on the
		// shared signal, where thousands of them make every new listener slower to add.
		const attemptController = new AbortController();
		const abortAttempt = () => attemptController.abort();
		signal.addEventListener('abort', abortAttempt, { once: true });
		const started = performance.now();
		let failure: FailureInfo;
		let error: unknown;
		try {
			const value = await task({ signal: attemptController.signal, attempt, observeHeaders, observeUsage });
			// An answer without rate-limit headers still says something: that the key answers.
			if (!observed) lane.observe({}, demand.model, permit);
			permit.release('ok', performance.now() - started);
			return { ok: true, value, attempts: attempt };
		} catch (caught) {
			error = caught;
			if (signal.aborted) {
				permit.release('neutral');
				throw new CancelledError();
			}
			failure = classify(caught);
			if (failure.rateLimit) lane.observe(failure.rateLimit, demand.model, permit);
			permit.release(failure.congestion ? 'congestion' : 'neutral', performance.now() - started);
		} finally {
			signal.removeEventListener('abort', abortAttempt);
		}
		const why = failure.status === 429 ? `the server answered 429${failure.retryAfterSource ? ` with ${failure.retryAfterSource}` : ' with no retry-after'}` : undefined;
		// A 429 speaks for the key, not the item: every request on it waits (or fails) with this one.
		const holdKey = (ms: number) => {
			if (failure.status === 429) lane.closeFor(ms, demand.model, why);
		};
		if (failure.retryAfterMs !== undefined && failure.retryAfterMs > maxRetryAfterMs && failure.retryable) {
			// The limit belongs to the key: every other request on it fails now too, with the same reason.
			holdKey(failure.retryAfterMs);
			return { ok: false, error: new RateLimitWaitError(failure.retryAfterMs, maxRetryAfterMs, why ?? `the server asked to wait (${failure.retryAfterSource})`), attempts: attempt };
		}
		if (!failure.retryable || attempt > settings.maxRetries) {
			return { ok: false, error, attempts: attempt };
		}
		let delayMs: number;
		if (failure.retryAfterMs !== undefined) {
			holdKey(failure.retryAfterMs);
			delayMs = failure.retryAfterMs;
		} else {
			delayMs = backoffDelayMs(attempt, settings.backoff ?? DEFAULT_BACKOFF, settings.random ?? Math.random);
			// A bare 429 (many proxies and local servers send no headers) pauses the key for this backoff,
			// so all workers slow down together, not each item alone.
			holdKey(delayMs);
		}
		settings.onRetry?.({ index, attempt, delayMs, status: failure.status });
		await sleep(delayMs, signal);
	}
}

/** withRetries for callers that want the value, or ModelRequestError once the task failed for good. */
export async function retryOrThrow<T>(
	task: (context: AttemptContext) => Promise<T>,
	lane: RequestLane,
	signal: AbortSignal,
	settings: RetrySettings,
	demand: RequestDemand = NO_DEMAND,
): Promise<T> {
	const outcome = await withRetries(task, lane, signal, settings, 0, demand);
	if (!outcome.ok) throw new ModelRequestError(outcome.error, outcome.attempts);
	return outcome.value;
}

/**
 * Runs `count` tasks with at most `concurrency` in flight, each retried on its own, and returns
 * their outcomes in input order. One item failing never fails the others; cancelling the signal
 * rejects at once with CancelledError, aborting in-flight requests and starting no new one.
 */
export async function runScheduled<T>(
	count: number,
	task: (index: number, context: AttemptContext) => Promise<T>,
	options: ScheduleOptions,
): Promise<Array<Outcome<T>>> {
	const outer = options.signal;
	if (outer?.aborted) throw new CancelledError();
	const controller = new AbortController();
	const signal = controller.signal;
	// Every worker waits on this signal at once (requests, backoff, the gate): not a leak.
	setMaxListeners(0, signal);
	const lane = options.lane ?? UNLIMITED_LANE;
	const outcomes: Array<Outcome<T>> = new Array(count);
	let next = 0;

	const prepare = options.prepare;
	const preparation: Array<{ error: unknown } | true | undefined> = new Array(count);
	const prepareOne = (index: number) => {
		if (!prepare || preparation[index]) return;
		try {
			prepare(index);
			preparation[index] = true;
		} catch (error) {
			preparation[index] = { error };
		}
	};
	let wakeReader: (() => void) | undefined;
	let stopped = false;
	const reading = () => !stopped && !signal.aborted;
	const readAhead = async () => {
		const ahead = Math.max(1, options.concurrency) * PREPARE_AHEAD;
		for (let index = 0; index < count && reading(); index++) {
			while (index >= next + ahead && reading()) await new Promise<void>((resolve) => (wakeReader = resolve));
			if (!reading()) break;
			prepareOne(index);
			// setImmediate runs after pending I/O: answers that came in are handled first.
			await new Promise((resolve) => setImmediate(resolve));
		}
	};

	const runOne = async (index: number): Promise<Outcome<T>> => {
		prepareOne(index);
		const prepared = preparation[index];
		if (prepared !== undefined && prepared !== true) return { ok: false, error: prepared.error, attempts: 0 };
		return withRetries((context) => task(index, context), lane, signal, options, index, options.demandOf?.(index) ?? NO_DEMAND);
	};

	let firstFailure: ItemFailedError | undefined;
	const worker = async () => {
		while (next < count && !firstFailure) {
			const index = next++;
			wakeReader?.();
			const outcome = await runOne(index);
			outcomes[index] = outcome;
			if (!outcome.ok && options.failFast && !firstFailure) {
				firstFailure = new ItemFailedError(index, outcome.error, outcome.attempts);
				controller.abort();
			}
		}
	};

	// With items to prepare, each worker starts a turn of the event loop after the previous one, so
	// that the first request leaves before the other workers prepare their first items.
	const startWorker = async (position: number) => {
		if (prepare) for (let turn = 0; turn < position; turn++) await new Promise((resolve) => setImmediate(resolve));
		return worker();
	};
	const workerList = Array.from({ length: Math.max(1, Math.min(options.concurrency, count)) }, (_, position) => startWorker(position));
	const workers = Promise.all(workerList);
	// Workers reject with CancelledError after an abort; settle() reads every end, so none is unhandled.
	workers.catch(() => undefined);
	if (prepare) {
		void readAhead();
		// The end of the run, or an abort, wakes a reader waiting for the workers so that it stops.
		const stopReader = () => {
			stopped = true;
			wakeReader?.();
		};
		signal.addEventListener('abort', stopReader, { once: true });
		void workers.then(stopReader, stopReader);
	}
	// After a fail-fast abort the other workers end with CancelledError; the item's own error wins.
	// Every worker is waited for, not only the first to fail: the run returns once each of its
	// requests has been aborted and has let go, so that none is still on its way when the node returns.
	const settle = () =>
		Promise.allSettled(workerList).then((ended) => {
			if (firstFailure) throw firstFailure;
			const failed = ended.find((end): end is PromiseRejectedResult => end.status === 'rejected');
			if (failed) throw failed.reason;
			return outcomes;
		});
	if (!outer) return settle();
	let onAbort: () => void = () => undefined;
	const cancelled = new Promise<never>((_, reject) => {
		onAbort = () => {
			controller.abort();
			reject(new CancelledError());
		};
		outer.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([settle(), cancelled]);
	} finally {
		outer.removeEventListener('abort', onAbort);
	}
}
