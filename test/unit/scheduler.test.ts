import { KeyLimiter, RateLimitWaitError, type RequestDemand } from '../../core/transport/limits/keyLimiter';
import { createLane, UNLIMITED_LANE, type RequestLane } from '../../core/transport/limits/lane';
import { LocalPacingStore } from '../../core/transport/limits/store';
import { ItemFailedError, runScheduled, withRetries, type RetryEvent } from '../../core/transport/scheduler';
import { CancelledError } from '../../core/transport/sleep';

const FAST = { baseDelayMs: 1, maxDelayMs: 5 };

/** Lets pending promise chains and zero-delay timers run. */
const flush = async (rounds = 5) => {
	for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
};

function deferred<T>() {
	let resolve!: (value: T) => void;
	let reject!: (error: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

/** A task body that never settles by itself and rejects when its signal aborts. */
const untilAborted = (signal: AbortSignal) =>
	new Promise<never>((_, reject) => {
		signal.addEventListener('abort', () => reject(new Error('request aborted')), { once: true });
	});

describe('runScheduled', () => {
	it('keeps outcomes in input order when tasks finish out of order', async () => {
		const gates = Array.from({ length: 5 }, () => deferred<void>());
		const finished: number[] = [];
		const run = runScheduled(
			5,
			async (index) => {
				await gates[index].promise;
				finished.push(index);
				return `value-${index}`;
			},
			{ concurrency: 5, maxRetries: 0, backoff: FAST },
		);
		await flush();
		for (const index of [3, 1, 4, 0, 2]) {
			gates[index].resolve();
			await flush(1);
		}
		const outcomes = await run;
		expect(finished).toEqual([3, 1, 4, 0, 2]);
		expect(outcomes).toEqual([0, 1, 2, 3, 4].map((i) => ({ ok: true, value: `value-${i}`, attempts: 1 })));
	});

	it('never has more than `concurrency` tasks in flight', async () => {
		let inFlight = 0;
		let maxInFlight = 0;
		const ran: number[] = [];
		const outcomes = await runScheduled(
			12,
			async (index) => {
				inFlight++;
				maxInFlight = Math.max(maxInFlight, inFlight);
				ran.push(index);
				await new Promise((resolve) => setTimeout(resolve, 1 + (index % 3)));
				inFlight--;
				return index * 2;
			},
			{ concurrency: 3, maxRetries: 0, backoff: FAST },
		);
		expect(maxInFlight).toBe(3);
		expect(ran.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
		expect(outcomes.map((o) => (o.ok ? o.value : undefined))).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
	});

	it('uses a single worker for concurrency below one and returns nothing for no items', async () => {
		let inFlight = 0;
		let maxInFlight = 0;
		await runScheduled(
			4,
			async () => {
				maxInFlight = Math.max(maxInFlight, ++inFlight);
				await flush(1);
				inFlight--;
			},
			{ concurrency: 0, maxRetries: 0 },
		);
		expect(maxInFlight).toBe(1);
		const task = jest.fn();
		await expect(runScheduled(0, task, { concurrency: 4, maxRetries: 0 })).resolves.toEqual([]);
		expect(task).not.toHaveBeenCalled();
	});

	it.each([429, 500, 503, 408, 409])('retries HTTP %d and succeeds on a later attempt', async (status) => {
		const attemptsSeen: number[] = [];
		const outcomes = await runScheduled(
			1,
			async (_index, { attempt }) => {
				attemptsSeen.push(attempt);
				if (attempt < 3) throw { status };
				return 'done';
			},
			{ concurrency: 1, maxRetries: 3, backoff: FAST },
		);
		expect(attemptsSeen).toEqual([1, 2, 3]);
		expect(outcomes).toEqual([{ ok: true, value: 'done', attempts: 3 }]);
	});

	it.each([
		['an object whose cause.code is ECONNRESET', () => ({ message: 'fetch failed', cause: { code: 'ECONNRESET' } })],
		['a socket error with its code', () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
	])('retries a network error: %s', async (_label, makeError) => {
		const retries: RetryEvent[] = [];
		const outcomes = await runScheduled(
			1,
			async (_index, { attempt }) => {
				if (attempt === 1) throw makeError();
				return 'ok';
			},
			{ concurrency: 1, maxRetries: 2, backoff: FAST, onRetry: (event) => retries.push(event) },
		);
		expect(outcomes).toEqual([{ ok: true, value: 'ok', attempts: 2 }]);
		expect(retries).toHaveLength(1);
		expect(retries[0]).toEqual(expect.objectContaining({ index: 0, attempt: 1, status: undefined }));
	});

	it('fails only the item that keeps failing, after maxRetries retries', async () => {
		const calls = new Map<number, number>();
		const retries: RetryEvent[] = [];
		const failure = { status: 503, message: 'overloaded' };
		const outcomes = await runScheduled(
			4,
			async (index) => {
				calls.set(index, (calls.get(index) ?? 0) + 1);
				if (index === 2) throw failure;
				return index;
			},
			{ concurrency: 2, maxRetries: 2, backoff: FAST, onRetry: (event) => retries.push(event) },
		);
		expect(outcomes[0]).toEqual({ ok: true, value: 0, attempts: 1 });
		expect(outcomes[1]).toEqual({ ok: true, value: 1, attempts: 1 });
		expect(outcomes[2]).toEqual({ ok: false, error: failure, attempts: 3 });
		expect((outcomes[2] as { error: unknown }).error).toBe(failure);
		expect(outcomes[3]).toEqual({ ok: true, value: 3, attempts: 1 });
		expect(calls.get(2)).toBe(3);
		expect([calls.get(0), calls.get(1), calls.get(3)]).toEqual([1, 1, 1]);
		expect(retries.map((r) => [r.index, r.attempt, r.status])).toEqual([
			[2, 1, 503],
			[2, 2, 503],
		]);
	});

	it('tries once only with maxRetries 0', async () => {
		const task = jest.fn(async () => {
			throw { status: 500 };
		});
		const outcomes = await runScheduled(1, task, { concurrency: 1, maxRetries: 0, backoff: FAST });
		expect(task).toHaveBeenCalledTimes(1);
		expect(outcomes[0]).toEqual({ ok: false, error: { status: 500 }, attempts: 1 });
	});

	it('does not retry a 400', async () => {
		const onRetry = jest.fn();
		const task = jest.fn(async () => {
			throw { status: 400, message: 'bad request' };
		});
		const outcomes = await runScheduled(1, task, { concurrency: 1, maxRetries: 5, backoff: FAST, onRetry });
		expect(task).toHaveBeenCalledTimes(1);
		expect(onRetry).not.toHaveBeenCalled();
		expect(outcomes).toEqual([{ ok: false, error: { status: 400, message: 'bad request' }, attempts: 1 }]);
	});

	it('does not retry a plain Error', async () => {
		const task = jest.fn(async () => {
			throw new Error('bug');
		});
		const outcomes = await runScheduled(1, task, { concurrency: 1, maxRetries: 3, backoff: FAST });
		expect(task).toHaveBeenCalledTimes(1);
		expect(outcomes[0].ok).toBe(false);
	});

	it('waits the backoff delay when the server gives no retry-after', async () => {
		for (const r of [0, 1]) {
			const retries: RetryEvent[] = [];
			await runScheduled(
				1,
				async () => {
					throw { status: 500 };
				},
				{ concurrency: 1, maxRetries: 3, backoff: FAST, random: () => r, onRetry: (event) => retries.push(event) },
			);
			// Equal jitter: min(max, base * 2^(n-1)) halved, plus up to the other half.
			const expected = [1, 2, 3].map((n) => {
				const exponential = Math.min(FAST.maxDelayMs, FAST.baseDelayMs * 2 ** (n - 1));
				return exponential / 2 + (exponential / 2) * r;
			});
			expect(retries.map((e) => e.delayMs)).toEqual(expected);
		}
	});

	it('uses retry-after-ms as the delay', async () => {
		const retries: RetryEvent[] = [];
		const outcomes = await runScheduled(
			1,
			async (_index, { attempt }) => {
				if (attempt === 1) throw { status: 503, headers: new Headers({ 'retry-after-ms': '7' }) };
				return 'ok';
			},
			{ concurrency: 1, maxRetries: 2, backoff: FAST, onRetry: (event) => retries.push(event) },
		);
		expect(outcomes[0]).toEqual({ ok: true, value: 'ok', attempts: 2 });
		expect(retries).toEqual([{ index: 0, attempt: 1, delayMs: 7, status: 503 }]);
	});

	it("closes the key's limiter for a 429 retry-after, but not for other statuses", async () => {
		for (const [status, expectClose] of [
			[429, true],
			[503, false],
		] as const) {
			const limiter = new KeyLimiter('test', new LocalPacingStore());
			const lane = createLane(limiter, 10);
			const closeFor = jest.spyOn(limiter, 'closeFor');
			await runScheduled(
				1,
				async (_index, { attempt }) => {
					if (attempt === 1) throw { status, headers: new Headers({ 'retry-after-ms': '4' }) };
					return 'ok';
				},
				{ concurrency: 1, maxRetries: 1, backoff: FAST, lane },
			);
			if (expectClose) expect(closeFor).toHaveBeenCalledWith(4, undefined, 'the server answered 429 with retry-after-ms: 4');
			else expect(closeFor).not.toHaveBeenCalled();
		}
	});

	it('fails the item at once when retry-after is longer than maxRetryAfterMs', async () => {
		const onRetry = jest.fn();
		const error = { status: 429, headers: new Headers({ 'retry-after-ms': '5000' }) };
		const task = jest.fn(async (index: number) => {
			if (index === 0) throw error;
			return index;
		});
		const outcomes = await runScheduled(2, task, {
			concurrency: 1,
			maxRetries: 5,
			backoff: FAST,
			maxRetryAfterMs: 1000,
			onRetry,
		});
		expect(onRetry).not.toHaveBeenCalled();
		expect(task.mock.calls.filter(([index]) => index === 0)).toHaveLength(1);
		expect(outcomes[1]).toEqual({ ok: true, value: 1, attempts: 1 });
		// The item's error says what the server asked for and why it was not waited out.
		expect(outcomes[0]).toMatchObject({ ok: false, attempts: 1 });
		const failure = (outcomes[0] as { error: Error }).error;
		expect(failure).toBeInstanceOf(RateLimitWaitError);
		expect(failure.message).toContain('for another 5 s (the server answered 429 with retry-after-ms: 5000)');
		expect(failure.message).toContain('longer than the 1 s a request may wait');
	});

	it("passes the attempt number and a signal to the task, and feeds headers to the key's limiter", async () => {
		const limiter = new KeyLimiter('test', new LocalPacingStore());
		const lane = createLane(limiter, 10);
		const contexts: Array<{ attempt: number; signal: AbortSignal }> = [];
		await runScheduled(
			1,
			async (_index, context) => {
				contexts.push({ attempt: context.attempt, signal: context.signal });
				context.observeHeaders(new Headers({ 'x-ratelimit-limit-requests': '120', 'x-ratelimit-remaining-requests': '50' }));
				if (context.attempt < 2) throw { status: 500 };
				return 'ok';
			},
			{ concurrency: 1, maxRetries: 1, backoff: FAST, lane },
		);
		expect(contexts.map((c) => c.attempt)).toEqual([1, 2]);
		expect(contexts[0].signal).toBeInstanceOf(AbortSignal);
		expect(contexts[0].signal.aborted).toBe(false);
		expect((await limiter.describe()).requestsPerMinute).toBeCloseTo(120, 9);
	});

	it('uses a custom classify function', async () => {
		const classify = jest.fn(() => ({ retryable: true, congestion: false }));
		const task = jest.fn(async (_index: number, { attempt }: { attempt: number }) => {
			if (attempt === 1) throw new Error('normally fatal');
			return 'ok';
		});
		const outcomes = await runScheduled(1, task, { concurrency: 1, maxRetries: 1, backoff: FAST, classify });
		expect(classify).toHaveBeenCalledTimes(1);
		expect(outcomes[0]).toEqual({ ok: true, value: 'ok', attempts: 2 });
	});

	it('with failFast rejects with ItemFailedError carrying the index and starts nothing more', async () => {
		const started: number[] = [];
		const signals: AbortSignal[] = [];
		const failure = new Error('bad request');
		Object.assign(failure, { status: 400 });
		const run = runScheduled(
			10,
			async (index, { signal }) => {
				started.push(index);
				signals.push(signal);
				if (index === 1) {
					await flush(1);
					throw failure;
				}
				return untilAborted(signal);
			},
			{ concurrency: 2, maxRetries: 3, backoff: FAST, failFast: true },
		);
		const error = await run.then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(ItemFailedError);
		const itemError = error as ItemFailedError;
		expect(itemError.name).toBe('ItemFailedError');
		expect(itemError.index).toBe(1);
		expect(itemError.attempts).toBe(1);
		expect(itemError.cause).toBe(failure);
		expect(itemError.message).toBe('bad request');
		await flush();
		expect(started).toEqual([0, 1]);
		expect(signals[0].aborted).toBe(true);
	});

	it('with failFast reports the index of a retried item once its retries run out', async () => {
		const run = runScheduled(
			3,
			async (index) => {
				if (index === 2) throw { status: 503 };
				return index;
			},
			{ concurrency: 1, maxRetries: 2, backoff: FAST, failFast: true },
		);
		await expect(run).rejects.toMatchObject({ name: 'ItemFailedError', index: 2, attempts: 3 });
	});

	it('prepares each item when a worker takes it, so the first tasks start before later items are read', async () => {
		const events: string[] = [];
		const outcomes = await runScheduled(
			5,
			async (i) => {
				events.push(`task ${i}`);
				await flush(1);
				return i;
			},
			{ concurrency: 2, maxRetries: 0, prepare: (i) => events.push(`prepare ${i}`) },
		);
		expect(outcomes.map((o) => o.ok && o.value)).toEqual([0, 1, 2, 3, 4]);
		expect(events.indexOf('task 0')).toBeLessThan(events.indexOf('prepare 2'));
		for (let i = 0; i < 5; i++) expect(events.indexOf(`prepare ${i}`)).toBeLessThan(events.indexOf(`task ${i}`));
	});

	it('an item whose preparation throws fails with 0 attempts, without a task or a retry; the others run', async () => {
		const ran: number[] = [];
		const problem = new Error('Prompt: is empty');
		const outcomes = await runScheduled(
			3,
			async (i) => {
				ran.push(i);
				return i;
			},
			{
				concurrency: 2,
				maxRetries: 5,
				backoff: FAST,
				prepare: (i) => {
					if (i === 1) throw problem;
				},
			},
		);
		expect(ran.sort()).toEqual([0, 2]);
		expect(outcomes[1]).toEqual({ ok: false, error: problem, attempts: 0 });
		expect(outcomes[2]).toEqual({ ok: true, value: 2, attempts: 1 });
	});

	it('with failFast, a preparation error rejects with ItemFailedError for that item', async () => {
		const run = runScheduled(3, async (i) => i, {
			concurrency: 1,
			maxRetries: 0,
			failFast: true,
			prepare: (i) => {
				if (i === 2) throw new Error('Messages: not a list');
			},
		});
		await expect(run).rejects.toMatchObject({ name: 'ItemFailedError', index: 2, attempts: 0, message: 'Messages: not a list' });
	});

	it('without failures, failFast resolves normally', async () => {
		const outcomes = await runScheduled(3, async (i) => i, { concurrency: 2, maxRetries: 0, failFast: true });
		expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
	});

	it('rejects with CancelledError when the outer signal aborts, aborting in-flight tasks', async () => {
		const outer = new AbortController();
		const started: number[] = [];
		const signals: AbortSignal[] = [];
		const run = runScheduled(
			6,
			async (index, { signal }) => {
				started.push(index);
				signals.push(signal);
				return untilAborted(signal);
			},
			{ concurrency: 2, maxRetries: 3, backoff: FAST, signal: outer.signal },
		);
		const settled = run.then(
			() => undefined,
			(e: unknown) => e,
		);
		await flush();
		expect(started).toEqual([0, 1]);
		expect(signals.every((s) => !s.aborted)).toBe(true);
		outer.abort();
		expect(await settled).toBeInstanceOf(CancelledError);
		expect(signals.every((s) => s.aborted)).toBe(true);
		await flush();
		expect(started).toEqual([0, 1]);
	});

	it('starts no new task after an abort, even when in-flight tasks ignore the signal', async () => {
		const outer = new AbortController();
		const started: number[] = [];
		const pending = [deferred<string>(), deferred<string>()];
		const run = runScheduled(
			5,
			async (index) => {
				started.push(index);
				return pending[index].promise;
			},
			{ concurrency: 2, maxRetries: 0, signal: outer.signal },
		);
		const settled = run.then(
			() => undefined,
			(e: unknown) => e,
		);
		await flush();
		expect(started).toEqual([0, 1]);
		outer.abort();
		expect(await settled).toBeInstanceOf(CancelledError);
		pending[0].resolve('late');
		pending[1].resolve('late');
		await flush();
		expect(started).toEqual([0, 1]);
	});

	it('cancels an item waiting between retries', async () => {
		const outer = new AbortController();
		const task = jest.fn(async () => {
			throw { status: 503, headers: new Headers({ 'retry-after-ms': '60000' }) };
		});
		const run = runScheduled(1, task, { concurrency: 1, maxRetries: 3, backoff: FAST, signal: outer.signal });
		const settled = run.then(
			() => undefined,
			(e: unknown) => e,
		);
		await flush();
		expect(task).toHaveBeenCalledTimes(1);
		outer.abort();
		expect(await settled).toBeInstanceOf(CancelledError);
		expect(task).toHaveBeenCalledTimes(1);
	});

	it('rejects at once with CancelledError for an already aborted signal', async () => {
		const outer = new AbortController();
		outer.abort();
		const task = jest.fn(async () => 1);
		await expect(runScheduled(3, task, { concurrency: 2, maxRetries: 0, signal: outer.signal })).rejects.toBeInstanceOf(
			CancelledError,
		);
		expect(task).not.toHaveBeenCalled();
	});

	it('resolves normally with an outer signal that never aborts, and stops listening to it', async () => {
		const outer = new AbortController();
		const remove = jest.spyOn(outer.signal, 'removeEventListener');
		const outcomes = await runScheduled(2, async (i) => i + 1, { concurrency: 2, maxRetries: 0, signal: outer.signal });
		expect(outcomes).toEqual([
			{ ok: true, value: 1, attempts: 1 },
			{ ok: true, value: 2, attempts: 1 },
		]);
		expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
	});
});

describe('runScheduled through a lane', () => {
	/** A lane that records what passed through it. */
	function recordingLane(): { lane: RequestLane; limiter: KeyLimiter; demands: RequestDemand[]; verdicts: string[] } {
		const limiter = new KeyLimiter('test', new LocalPacingStore());
		const inner = createLane(limiter, 10);
		const demands: RequestDemand[] = [];
		const verdicts: string[] = [];
		const lane: RequestLane = {
			...inner,
			acquire: async (demand, signal) => {
				demands.push(demand);
				const permit = await inner.acquire(demand, signal);
				return { mark: permit.mark, release: (verdict, latency) => (verdicts.push(verdict), permit.release(verdict, latency)) };
			},
		};
		return { lane, limiter, demands, verdicts };
	}

	it("passes each item's demand to the lane and tells it how every attempt ended", async () => {
		const { lane, demands, verdicts } = recordingLane();
		const outcomes = await runScheduled(
			4,
			async (index, { attempt }) => {
				if (index === 1 && attempt === 1) throw { status: 429, headers: new Headers({ 'retry-after-ms': '1' }) };
				if (index === 2 && attempt === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
				if (index === 3) throw { status: 400 };
				return index;
			},
			{ concurrency: 1, maxRetries: 1, backoff: FAST, lane, demandOf: (index) => ({ promptTokens: 10 * (index + 1), choices: 1, model: `m${index}` }) },
		);
		expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true, false]);
		expect(demands.map((demand) => demand.promptTokens)).toEqual([10, 20, 20, 30, 30, 40]);
		// A 429 and a dropped connection are congestion; a 400 is the request's own fault.
		expect(verdicts).toEqual(['ok', 'congestion', 'ok', 'congestion', 'ok', 'neutral']);
	});

	it("follows the server's x-should-retry over the status", async () => {
		const attempts: Record<string, number> = { no: 0, yes: 0 };
		await runScheduled(
			2,
			async (index) => {
				const which = index === 0 ? 'no' : 'yes';
				attempts[which]++;
				if (which === 'no') throw { status: 503, headers: new Headers({ 'x-should-retry': 'false' }) };
				if (attempts.yes === 1) throw { status: 400, headers: new Headers({ 'x-should-retry': 'true' }) };
				return 'ok';
			},
			{ concurrency: 1, maxRetries: 3, backoff: FAST },
		);
		expect(attempts).toEqual({ no: 1, yes: 2 });
	});

	it("learns from an answer with no rate-limit headers that the key answers, so a shared store's probe ends", async () => {
		const { lane, limiter } = recordingLane();
		const observe = jest.spyOn(limiter, 'observe');
		await runScheduled(1, async () => 'answer', { concurrency: 1, maxRetries: 0, lane });
		expect(observe).toHaveBeenCalledWith({}, undefined, expect.objectContaining({ release: expect.any(Function) }));
	});
});

describe('fail-fast leaves nothing running (issue 17)', () => {
	it('a request whose place in the lane came as the run stopped is not sent', async () => {
		const controller = new AbortController();
		const release = jest.fn();
		// The run stops while the lane hands out the place (the key's pace being read, say).
		const lane: RequestLane = { ...UNLIMITED_LANE, acquire: async () => (controller.abort(), { release }) };
		const task = jest.fn(async () => 'sent');
		await expect(withRetries(task, lane, controller.signal, { maxRetries: 0 })).rejects.toBeInstanceOf(CancelledError);
		expect(task).not.toHaveBeenCalled();
		expect(release).toHaveBeenCalledWith('neutral');
	});

	it('the run rejects only once every other task has ended, not at the first to end', async () => {
		const ended = new Set<number>();
		const run = runScheduled(
			3,
			async (index, { signal }) => {
				if (index === 0) {
					await new Promise((resolve) => setImmediate(resolve));
					throw new Error('item 0 failed');
				}
				// Task 1 stops at once on the abort; task 2 takes a few turns to let go of its request.
				await new Promise<void>((_, reject) =>
					signal.addEventListener(
						'abort',
						() => {
							if (index === 1) {
								ended.add(index);
								reject(new Error('aborted'));
								return;
							}
							void flush(3).then(() => {
								ended.add(index);
								reject(new Error('aborted'));
							});
						},
						{ once: true },
					),
				);
				return 'never';
			},
			{ concurrency: 3, maxRetries: 0, failFast: true },
		);
		await expect(run).rejects.toBeInstanceOf(ItemFailedError);
		expect([...ended].sort()).toEqual([1, 2]);
	});
});
