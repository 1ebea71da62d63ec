/**
 * The caller the fine-tune providers use (files, jobs, events, checkpoints, models): the package's
 * one HTTP client behind the key's shared limiter and the same retry policy as the model requests,
 * so a job poll or an upload counts against the key like a chat request, and a 429 on it waits.
 */
import type { ApiCaller, ApiRequest, HttpClient } from './http';
import type { RequestLane } from './limits/lane';
import { ModelRequestError, retryOrThrow, type RetrySettings } from './scheduler';

export function limitedCaller(client: HttpClient, lane: RequestLane, retry: RetrySettings): ApiCaller {
	return async <T>(spec: ApiRequest, signal?: AbortSignal) => {
		try {
			return await retryOrThrow(
				async ({ signal: attemptSignal, observeHeaders }) => {
					const response = await client.request<T>(spec, attemptSignal);
					observeHeaders(response.headers);
					return response;
				},
				lane,
				signal ?? new AbortController().signal,
				retry,
			);
		} catch (error) {
			// A provider reads the transport's own error (its status, the server's words), not the wrapper.
			throw error instanceof ModelRequestError ? error.cause : error;
		}
	};
}
