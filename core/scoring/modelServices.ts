/**
 * Judges and embeddings on the node's clients, through the same retry loop and rate-limit gate as
 * Generate Text: a judge's 429 waits like any other request, and only that request is retried.
 * Judges use the same chat client as Generate Text; embeddings use the SDK.
 */
import type OpenAI from 'openai';
import { readUsage } from '../generate/result';
import type { ChatClient } from '../transport/chatClient';
import type { RateLimitGate } from '../transport/rateLimitGate';
import type { HeaderSource } from '../transport/rateLimitHeaders';
import { retryOrThrow, type RetrySettings } from '../transport/scheduler';
import type { ModelServices } from './types';

export function createModelServices(clients: { sdk: OpenAI; chat: ChatClient }, gate: RateLimitGate, retry: RetrySettings): ModelServices {
	const run = async <T>(signal: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<{ data: T; headers: HeaderSource }>) => {
		return retryOrThrow(
			async ({ signal: attemptSignal, observeHeaders }) => {
				const { data, headers } = await call(attemptSignal);
				observeHeaders(headers);
				return data;
			},
			gate,
			signal ?? new AbortController().signal,
			retry,
		);
	};
	return {
		async chat(body, signal) {
			const completion = await run(signal, (attemptSignal) => clients.chat.complete(body as never, attemptSignal));
			const choice = completion.choices?.[0];
			return { text: choice?.message?.content ?? '', usage: readUsage(completion) };
		},
		async embed(model, input, signal) {
			const result = await run(signal, async (attemptSignal) => {
				const { data, response } = await clients.sdk.embeddings.create({ model, input, encoding_format: 'float' }, { signal: attemptSignal }).withResponse();
				return { data, headers: response.headers };
			});
			const vectors = [...result.data].sort((a, b) => a.index - b.index).map((d) => d.embedding as number[]);
			const promptTokens = result.usage?.prompt_tokens ?? 0;
			return {
				vectors,
				usage: { promptTokens, completionTokens: 0, totalTokens: result.usage?.total_tokens ?? promptTokens, cachedTokens: 0, reasoningTokens: 0 },
			};
		},
	};
}
