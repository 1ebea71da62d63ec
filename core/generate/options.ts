import type { JsonSchema } from '../json/validateJsonSchema';

export type ResponseFormat =
	| { type: 'text' }
	| { type: 'json_object' }
	| { type: 'json_schema'; name: string; schema: JsonSchema; strict: boolean; description?: string };

/** Sampling and output options, named as a user sees them; `buildChatParams` maps them to the API. */
export interface GenerationOptions {
	temperature?: number;
	topP?: number;
	maxCompletionTokens?: number;
	/** The legacy field, for servers that do not read max_completion_tokens. */
	maxTokens?: number;
	stop?: string[];
	seed?: number;
	presencePenalty?: number;
	frequencyPenalty?: number;
	n?: number;
	logprobs?: boolean;
	topLogprobs?: number;
	responseFormat?: ResponseFormat;
	/** Provider-specific fields merged into the request body as they are. */
	extraBody?: Record<string, unknown>;
}
