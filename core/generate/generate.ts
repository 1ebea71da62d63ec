import type { ChatClient } from '../transport/chatClient';
import { chatDemand } from '../transport/limits/demand';
import type { RequestDemand } from '../transport/limits/keyLimiter';
import type { RequestLane } from '../transport/limits/lane';
import { retryOrThrow, runScheduled, type AttemptContext, type Outcome, type RetrySettings, type ScheduleOptions } from '../transport/scheduler';
import { checkChatCompletion } from './answerShape';
import type { ResponseFormat } from './options';
import { buildChatParams, type GenerateRequest } from './request';
import { OutputError, readUsage, toGenerateResult, type GenerateResult } from './result';

export interface GenerateAllOptions extends Omit<ScheduleOptions, 'lane' | 'demandOf'> {
	/** The node run's lane: its Concurrency, then the key's shared limiter. */
	lane: RequestLane;
}

interface PreparedRequest {
	request: GenerateRequest;
	body: ReturnType<typeof buildChatParams>;
	demand: RequestDemand;
}

/** One attempt of one chat completion, mapped to the node's result. */
async function attemptCompletion(
	client: ChatClient,
	body: ReturnType<typeof buildChatParams>,
	format: ResponseFormat | undefined,
	{ signal, attempt, observeHeaders, observeUsage }: AttemptContext,
): Promise<GenerateResult> {
	const started = performance.now();
	const { data: answer, headers } = await client.complete(body, signal);
	observeHeaders(headers);
	// Nothing reads an answer before its shape is checked: a broken 200 is this item's error, not retried.
	const data = checkChatCompletion(answer);
	const latencyMs = Math.round(performance.now() - started);
	let result: GenerateResult;
	try {
		result = toGenerateResult(data, format, latencyMs, attempt);
	} catch (error) {
		// An answer with no usable candidate still cost its tokens.
		observeUsage(error instanceof OutputError && error.answer ? error.answer.usage : readUsage(data));
		throw error;
	}
	observeUsage(result.estimatedUsage ?? result.usage);
	return result;
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
	const prepared: Array<PreparedRequest | undefined> = new Array(count);
	return runScheduled(
		count,
		(index, context) => {
			const { request, body } = prepared[index] as PreparedRequest;
			return attemptCompletion(client, body, request.options.responseFormat, context);
		},
		{
			...options,
			prepare: (index) => {
				const request = requestAt(index);
				const body = buildChatParams(request);
				prepared[index] = { request, body, demand: chatDemand(body) };
			},
			demandOf: (index) => (prepared[index] as PreparedRequest).demand,
		},
	);
}

/** One request, with its retries, inside a larger task sharing the node run's lane: the result, or ModelRequestError. */
export async function generateOrThrow(
	client: ChatClient,
	request: GenerateRequest,
	lane: RequestLane,
	signal: AbortSignal,
	retry: RetrySettings,
): Promise<GenerateResult> {
	const body = buildChatParams(request);
	return retryOrThrow((context) => attemptCompletion(client, body, request.options.responseFormat, context), lane, signal, retry, chatDemand(body));
}

/**
 * Requests whose bodies are already built (the requests of an expired or cancelled batch, read back
 * from its input file, so that what is sent is exactly what the batch held), sent as generateAll
 * sends its own: the same scheduler, lane, retries and result.
 */
export async function completeAll(
	client: ChatClient,
	requests: ReadonlyArray<{ body: unknown; responseFormat?: ResponseFormat }>,
	options: GenerateAllOptions,
): Promise<Array<Outcome<GenerateResult>>> {
	const bodyOf = (index: number) => requests[index].body as ReturnType<typeof buildChatParams>;
	return runScheduled(requests.length, (index, context) => attemptCompletion(client, bodyOf(index), requests[index].responseFormat, context), {
		...options,
		demandOf: (index) => chatDemand(bodyOf(index)),
	});
}
