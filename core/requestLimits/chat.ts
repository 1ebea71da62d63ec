/**
 * The limits of OpenAI's chat completion request (POST /chat/completions), for every option our
 * nodes send. Chat requests go to OpenAI-compatible endpoints only (the Together credential is for
 * fine-tuning), so OpenAI's published limits are the ones checked. Labels are Generate Text's
 * display names; a node that shows a field under another name relabels it (`relabel`).
 *
 * Sources: the API reference (CHAT_SOURCE) and OpenAI's OpenAPI document
 * (components.schemas.CreateChatCompletionRequest and ModelResponseProperties, version 2.3.0).
 */
import type { LengthLimit, NumberLimit } from './limit';

export const CHAT_SOURCE = 'https://platform.openai.com/docs/api-reference/chat/create';

/**
 * The API's seed is an int64 (−2^63 to 2^63−1), but a JSON number beyond 2^53 is rounded on its way
 * (9007199254740993 arrives as …992, 2^63 as a value above int64's range): only safe integers are
 * sent as they were typed.
 */
const SEED_BOUND = Number.MAX_SAFE_INTEGER;

/** The chat options that have a number limit, keyed by their name in GenerationOptions. */
export const CHAT_LIMITS = {
	temperature: { label: 'Temperature', field: 'temperature', min: 0, max: 2, source: CHAT_SOURCE },
	topP: { label: 'Top P', field: 'top_p', min: 0, max: 1, source: CHAT_SOURCE },
	presencePenalty: { label: 'Presence Penalty', field: 'presence_penalty', min: -2, max: 2, source: CHAT_SOURCE },
	frequencyPenalty: { label: 'Frequency Penalty', field: 'frequency_penalty', min: -2, max: 2, source: CHAT_SOURCE },
	n: { label: 'Candidates (N)', field: 'n', min: 1, max: 128, integer: true, source: CHAT_SOURCE },
	topLogprobs: { label: 'Top Log Probabilities', field: 'top_logprobs', min: 0, max: 20, integer: true, source: CHAT_SOURCE },
	// No upper bound is published: it is the model's output limit, which the server knows.
	maxCompletionTokens: { label: 'Max Completion Tokens', field: 'max_completion_tokens', min: 1, integer: true, source: CHAT_SOURCE },
	maxTokens: { label: 'Max Tokens (Legacy)', field: 'max_tokens', min: 1, integer: true, source: CHAT_SOURCE },
	seed: { label: 'Seed', field: 'seed', min: -SEED_BOUND, max: SEED_BOUND, integer: true, source: CHAT_SOURCE },
} satisfies Record<string, NumberLimit>;

export type ChatNumberOption = keyof typeof CHAT_LIMITS;

/** `stop`: a string or at most 4 strings (StopConfiguration: maxItems 4). */
export const STOP_LIMIT: LengthLimit = { label: 'Stop Sequences', field: 'stop', max: 4, source: CHAT_SOURCE };

/** `response_format.json_schema.name`: a-z, A-Z, 0-9, _ and -, at most 64 characters. */
export const SCHEMA_NAME_LIMIT: LengthLimit = { label: 'Schema Name', field: 'response_format.json_schema.name', max: 64, source: CHAT_SOURCE };
export const SCHEMA_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `reasoning_effort` (ReasoningEffort): one of these or null. Chat takes it, and so do a model
 * grader's sampling_params (a judge's chat request, a reinforcement job's grader).
 */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;

/** Strict mode's rules for the schema (core/json/strictSchema.ts). */
export const STRICT_SCHEMA_SOURCE = 'https://platform.openai.com/docs/guides/structured-outputs#supported-schemas';

/** The same limit under the name another node shows (Reward Loop's Candidates Per Round is `n`). */
export function relabel<T extends NumberLimit | LengthLimit>(limit: T, label: string): T {
	return { ...limit, label };
}

/** The chat number limits by API field name, for bodies built elsewhere (judges' sampling_params). */
export const CHAT_LIMITS_BY_FIELD: ReadonlyMap<string, NumberLimit> = new Map(
	Object.values(CHAT_LIMITS).map((limit): [string, NumberLimit] => [limit.field, limit]),
);
