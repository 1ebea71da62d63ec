import type { ChatClient } from '../transport/chatClient';
import { RateLimitGate } from '../transport/rateLimitGate';
import { retryOrThrow, runScheduled, type AttemptContext, type Outcome, type RetrySettings, type ScheduleOptions } from '../transport/scheduler';
import { buildChatParams, type GenerateRequest } from './request';
import { toGenerateResult, type GenerateResult } from './result';

export interface GenerateAllOptions extends Omit<ScheduleOptions, 'gate'> {
	/** A known requests-per-minute limit; otherwise learned from the server's headers. */
	requestsPerMinute?: number;
}

interface PreparedRequest {
	request: GenerateRequest;
	body: ReturnType<typeof buildChatParams>;
}

/** One attempt of one chat completion, mapped to the node's result. */
async function attemptCompletion(
	client: ChatClient,
	body: ReturnType<typeof buildChatParams>,
	request: GenerateRequest,
	{ signal, attempt, observeHeaders }: AttemptContext,
): Promise<GenerateResult> {
	const started = performance.now();
	const { data, headers } = await client.complete(body, signal);
	observeHeaders(headers);
	const latencyMs = Math.round(performance.now() - started);
	return toGenerateResult(data, request.options.responseFormat, latencyMs, attempt);
}

/**
 * Sends `count` requests through the scheduler and returns one outcome per request, in order.
 * `requestAt(index)` is read when a worker takes the item, so the first requests leave while later
 * items are still being read; an error it throws is that item's failure. Latency is that of the
 * successful attempt; `attempts` says how many it took.
 */
export async function generateAll(
	client: ChatClient,
	count: number,
	requestAt: (index: number) => GenerateRequest,
	options: GenerateAllOptions,
): Promise<Array<Outcome<GenerateResult>>> {
	const gate = new RateLimitGate({ requestsPerMinute: options.requestsPerMinute });
	const prepared: Array<PreparedRequest | undefined> = new Array(count);
	return runScheduled(
		count,
		(index, context) => {
			const { request, body } = prepared[index] as PreparedRequest;
			return attemptCompletion(client, body, request, context);
		},
		{
			...options,
			gate,
			prepare: (index) => {
				const request = requestAt(index);
				prepared[index] = { request, body: buildChatParams(request) };
			},
		},
	);
}

/** One request, with its retries, inside a larger task sharing the execution's gate: the result, or ModelRequestError. */
export async function generateOrThrow(
	client: ChatClient,
	request: GenerateRequest,
	gate: RateLimitGate,
	signal: AbortSignal,
	retry: RetrySettings,
): Promise<GenerateResult> {
	const body = buildChatParams(request);
	return retryOrThrow((context) => attemptCompletion(client, body, request, context), gate, signal, retry);
}
