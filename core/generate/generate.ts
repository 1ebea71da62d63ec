import type OpenAI from 'openai';
import { RateLimitGate } from '../transport/rateLimitGate';
import { runScheduled, type Outcome, type ScheduleOptions } from '../transport/scheduler';
import { buildChatParams, type GenerateRequest } from './request';
import { toGenerateResult, type GenerateResult } from './result';

export interface GenerateAllOptions extends Omit<ScheduleOptions, 'gate'> {
	/** A known requests-per-minute limit; otherwise learned from the server's headers. */
	requestsPerMinute?: number;
}

/**
 * Sends every request through the scheduler and returns one outcome per request, in order.
 * Latency is that of the successful attempt; `attempts` says how many it took.
 */
export async function generateAll(
	client: OpenAI,
	requests: GenerateRequest[],
	options: GenerateAllOptions,
): Promise<Array<Outcome<GenerateResult>>> {
	const gate = new RateLimitGate({ requestsPerMinute: options.requestsPerMinute });
	const bodies = requests.map(buildChatParams);
	return runScheduled(
		requests.length,
		async (index, { signal, attempt, observeHeaders }) => {
			const started = performance.now();
			const { data, response } = await client.chat.completions
				.create(bodies[index], { signal })
				.withResponse();
			observeHeaders(response.headers);
			const latencyMs = Math.round(performance.now() - started);
			return toGenerateResult(data, requests[index].options.responseFormat, latencyMs, attempt);
		},
		{ ...options, gate },
	);
}
