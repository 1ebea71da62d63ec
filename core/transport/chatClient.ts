/**
 * Chat completions (Generate Text, the Reward Loop's rounds, the judges): `POST /chat/completions`
 * on the package's one HTTP client (http.ts), which keeps the CPU per request low and gives every
 * failure the shape the retry policy reads.
 */
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { ConnectionConfig } from './connection';
import { createHttpClient, HttpStatusError } from './http';
import type { HeaderSource } from './rateLimitHeaders';

export { HttpStatusError, RequestAbortedError, RequestTimeoutError } from './http';

export interface ChatClient {
	complete(body: ChatCompletionCreateParamsNonStreaming, signal: AbortSignal): Promise<{ data: ChatCompletion; headers: HeaderSource }>;
	close(): void;
}

export function createChatClient(config: ConnectionConfig, options: { timeoutMs?: number } = {}): ChatClient {
	const http = createHttpClient(config, options);
	return {
		complete: async (body, signal) => {
			const { status, data, headers } = await http.request<ChatCompletion | undefined>({ method: 'POST', path: '/chat/completions', json: body }, signal);
			// An empty success is no completion: an error with its status, as a body that is not JSON is.
			if (data === undefined) throw new HttpStatusError(status, headers, 'the answer is empty');
			return { data, headers };
		},
		close: () => http.close(),
	};
}
