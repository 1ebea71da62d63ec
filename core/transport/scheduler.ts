import { setMaxListeners } from 'node:events';
import { RateLimitGate } from './rateLimitGate';
import type { HeaderSource } from './rateLimitHeaders';
import { readRateLimitHeaders } from './rateLimitHeaders';
import { backoffDelayMs, classifyFailure, DEFAULT_BACKOFF, type BackoffOptions, type FailureInfo } from './retryPolicy';
import { CancelledError, sleep } from './sleep';

export interface AttemptContext {
	/** Aborts when the execution is cancelled; pass it to the request. */
	signal: AbortSignal;
	/** 1 for the first try. */
	attempt: number;
	/** Feeds a successful response's headers to the shared rate-limit gate. */
	observeHeaders(headers: HeaderSource): void;
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
	concurrency: number;
	signal?: AbortSignal;
	gate?: RateLimitGate;
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
 * Runs one task until it succeeds, fails for good or the signal aborts (CancelledError). Waits for
 * the shared gate before every attempt, and tells it what the server said about the rate limit.
 */
export async function withRetries<T>(
	task: (context: AttemptContext) => Promise<T>,
	gate: RateLimitGate,
	signal: AbortSignal,
	settings: RetrySettings,
	index = 0,
): Promise<Outcome<T>> {
	const classify = settings.classify ?? classifyFailure;
	const maxRetryAfterMs = settings.maxRetryAfterMs ?? 120_000;
	const observeHeaders = (headers: HeaderSource) => gate.observe(readRateLimitHeaders(headers));
	for (let attempt = 1; ; attempt++) {
		await gate.acquire(signal);
		// Each attempt gets a signal of its own: the SDK never removes the abort listener it adds,
		// and thousands of them on one shared signal make every new listener slower to add.
		const attemptController = new AbortController();
		const abortAttempt = () => attemptController.abort();
		signal.addEventListener('abort', abortAttempt, { once: true });
		try {
			const value = await task({ signal: attemptController.signal, attempt, observeHeaders });
			return { ok: true, value, attempts: attempt };
		} catch (error) {
			if (signal.aborted) throw new CancelledError();
			const failure = classify(error);
			if (failure.rateLimit) gate.observe(failure.rateLimit);
			const tooLong = failure.retryAfterMs !== undefined && failure.retryAfterMs > maxRetryAfterMs;
			if (!failure.retryable || attempt > settings.maxRetries || tooLong) {
				return { ok: false, error, attempts: attempt };
			}
			let delayMs: number;
			if (failure.retryAfterMs !== undefined) {
				// Every worker shares the key's limit, so the server's wait applies to all of them.
				if (failure.status === 429) gate.closeFor(failure.retryAfterMs);
				delayMs = failure.retryAfterMs;
			} else {
				delayMs = backoffDelayMs(attempt, settings.backoff ?? DEFAULT_BACKOFF, settings.random ?? Math.random);
			}
			settings.onRetry?.({ index, attempt, delayMs, status: failure.status });
			await sleep(delayMs, signal);
		} finally {
			signal.removeEventListener('abort', abortAttempt);
		}
	}
}

/** withRetries for callers that want the value, or ModelRequestError once the task failed for good. */
export async function retryOrThrow<T>(
	task: (context: AttemptContext) => Promise<T>,
	gate: RateLimitGate,
	signal: AbortSignal,
	settings: RetrySettings,
): Promise<T> {
	const outcome = await withRetries(task, gate, signal, settings);
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
	const gate = options.gate ?? new RateLimitGate();
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
		return withRetries((context) => task(index, context), gate, signal, options, index);
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
	const workers = Promise.all(
		Array.from({ length: Math.max(1, Math.min(options.concurrency, count)) }, (_, position) => startWorker(position)),
	);
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
	const settle = (run: Promise<unknown>) =>
		run.then(
			() => {
				if (firstFailure) throw firstFailure;
				return outcomes;
			},
			(error: unknown) => {
				throw firstFailure ?? error;
			},
		);
	if (!outer) return settle(workers);
	let onAbort: () => void = () => undefined;
	const cancelled = new Promise<never>((_, reject) => {
		onAbort = () => {
			controller.abort();
			reject(new CancelledError());
		};
		outer.addEventListener('abort', onAbort, { once: true });
	});
	// Workers reject with CancelledError after an abort; this keeps that from surfacing as unhandled.
	workers.catch(() => undefined);
	try {
		return await Promise.race([settle(workers), cancelled]);
	} finally {
		outer.removeEventListener('abort', onAbort);
	}
}
