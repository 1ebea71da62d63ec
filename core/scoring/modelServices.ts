/**
 * Judges and embeddings on the node's clients, through the same retry loop and the same lane as
 * Generate Text: the node run's Concurrency, then the key's limiter shared with every other node and
 * execution. A judge's 429 waits like any other request, and only that request is retried.
 * Judges use the same chat client as Generate Text; embeddings the same HTTP client (`POST /embeddings`).
 *
 * Every answer's shape is checked before it is read (core/generate/answerShape.ts), and a judge or a
 * critique that answers 200 without a usable message (no choice, null content and no refusal) fails
 * like a failed request: a reward without its judge would be a different reward (issue 15, D9).
 */
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings';
import { AnswerShapeError, checkChatCompletion, checkEmbeddings } from '../generate/answerShape';
import { readUsage } from '../generate/result';
import type { ChatClient } from '../transport/chatClient';
import type { HttpClient } from '../transport/http';
import type { RequestDemand } from '../transport/limits/keyLimiter';
import { chatDemand, embeddingDemand } from '../transport/limits/demand';
import type { RequestLane } from '../transport/limits/lane';
import type { HeaderSource } from '../transport/rateLimitHeaders';
import { retryOrThrow, type RetrySettings } from '../transport/scheduler';
import type { ChatAnswer, ModelServices } from './types';

export function createModelServices(clients: { http: HttpClient; chat: ChatClient }, lane: RequestLane, retry: RetrySettings): ModelServices {
	const run = async <T extends { usage?: { prompt_tokens?: number; completion_tokens?: number } }>(
		signal: AbortSignal | undefined,
		demand: RequestDemand,
		call: (signal: AbortSignal) => Promise<{ data: T; headers: HeaderSource }>,
	) => {
		return retryOrThrow(
			async ({ signal: attemptSignal, observeHeaders, observeUsage }) => {
				const { data, headers } = await call(attemptSignal);
				observeHeaders(headers);
				if (data.usage) observeUsage({ promptTokens: data.usage.prompt_tokens ?? 0, completionTokens: data.usage.completion_tokens ?? 0 });
				return data;
			},
			lane,
			signal ?? new AbortController().signal,
			retry,
			demand,
		);
	};
	return {
		async chat(body, signal) {
			const completion = await run(signal, chatDemand(body as Parameters<typeof chatDemand>[0]), async (attemptSignal) => {
				const { data, headers } = await clients.chat.complete(body as never, attemptSignal);
				return { data: usableMessage(checkChatCompletion(data), body.model), headers };
			});
			return chatAnswerOf(completion, body.model);
		},
		async embed(model, input, signal) {
			const result = await run(signal, embeddingDemand(model, input), async (attemptSignal) => {
				const { data, headers } = await clients.http.request<CreateEmbeddingResponse | undefined>(
					{ method: 'POST', path: '/embeddings', json: { model, input, encoding_format: 'float' } },
					attemptSignal,
				);
				return { data: checkEmbeddings(data), headers };
			});
			const vectors = result.data.map((d, position) => ({ index: d.index ?? position, embedding: d.embedding })).sort((a, b) => a.index - b.index).map((d) => d.embedding as number[]);
			const promptTokens = result.usage?.prompt_tokens ?? 0;
			return {
				vectors,
				usage: { promptTokens, completionTokens: 0, totalTokens: result.usage?.total_tokens ?? promptTokens, cachedTokens: 0, reasoningTokens: 0 },
			};
		},
	};
}

/**
 * A judge's answer from a completion whose shape is checked (checkChatCompletion), as the
 * synchronous call reads it: Score Output's Batch: Collect reads a batch line's answer through here.
 */
export function chatAnswerOf(checked: ChatCompletion, model: unknown): ChatAnswer {
	const completion = usableMessage(checked, model);
	const message = completion.choices[0].message;
	const refusal = message.refusal;
	return { text: message.content ?? '', usage: readUsage(completion), ...(typeof refusal === 'string' && refusal ? { refusal } : {}) };
}

/** A judge's or critique's answer has a message to read: its first choice's content, or a refusal. */
function usableMessage(completion: ChatCompletion, model: unknown): ChatCompletion {
	const message = completion.choices[0]?.message;
	const refused = typeof message?.refusal === 'string' && message.refusal !== '';
	if (message && (typeof message.content === 'string' || refused)) return completion;
	const path = message ? 'choices[0].message.content' : 'choices';
	const problem = message ? `expected string, got ${message.content === null ? 'null' : 'nothing'}` : 'expected at least one choice, got none';
	throw new AnswerShapeError(200, path, `${typeof model === 'string' ? `model "${model}"` : 'the model'} answered without a usable message: ${path}: ${problem}`);
}
